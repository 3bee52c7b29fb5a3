// POST /v1/events: interactions, with an eventId generated for each event that has none, so retries (the
// client's own, or the caller's) are acknowledged as duplicates instead of counted twice.
import { call, type CallOptions, type Client } from './client.ts';
import { newEventId } from './ids.ts';
import type { EventIn, EventsResponse } from './types.ts';

export type EventInput = Omit<EventIn, 'eventId'> & { eventId?: string };

export async function sendEvents(client: Client, events: EventInput | readonly EventInput[], opts?: CallOptions): Promise<EventsResponse & { eventIds: string[] }> {
  const list = (Array.isArray(events) ? events : [events]).map((e: EventInput) => ({ ...e, eventId: e.eventId ?? newEventId() }) as EventIn);
  const r = await call<EventsResponse>(client, 'POST', '/v1/events', list.length === 1 ? list[0] : { events: list }, opts);
  return { ...r, eventIds: list.map((e) => e.eventId) };
}
