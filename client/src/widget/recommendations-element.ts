// <llmrec-recommendations>: a framework-free web component showing recommendations for the visitor's browser
// session (issue 13): posters and titles, the rationale and evidence chips (with faithfulness when the API
// reports it), a badge when the answer is degraded. Choosing an item (click, Enter or Space) posts an event
// for the session and reloads the list, so the ranking visibly adapts online. Uses a publishable key.
//
//   <llmrec-recommendations endpoint="https://recs.example.com" api-key="pk_..." k="8" explain></llmrec-recommendations>
//
// Attributes: endpoint (default: this page's origin), api-key, session-id (default: random, kept in
// sessionStorage), k, explain, heading, media-base (image URL prefix, default <endpoint>/media/items),
// event-type (default click). Events: llmrec-select {item, eventIds}, llmrec-update {response}, llmrec-error.
import { createClient, type Client } from '../client.ts';
import { LlmrecError } from '../errors.ts';
import { sendEvents } from '../events.ts';
import { newSessionId } from '../ids.ts';
import { recommend } from '../recommend.ts';
import type { Explanation, RecommendedItem, RecommendResponse } from '../types.ts';
import { faithfulness } from './faithfulness.ts';
import { STYLES } from './styles.ts';

const SESSION_KEY = 'llmrec-session-id';
type EventType = 'view' | 'click' | 'rating' | 'purchase' | 'like';

function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string | null)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c !== null) el.append(c);
  return el;
}


export class LlmrecRecommendations extends HTMLElement {
  static observedAttributes = ['endpoint', 'api-key', 'session-id', 'k', 'explain'];
  private readonly root: ShadowRoot;
  private readonly list: HTMLOListElement;
  private readonly status: HTMLParagraphElement;
  private readonly badge: HTMLSpanElement;
  private readonly heading: HTMLHeadingElement;
  private session: string | null = null;
  private loading: Promise<void> | null = null;
  /** Card position to focus after the next render (keyboard users keep their place when the list changes). */
  private focusIndex = -1;
  private connected = false;
  /** The last answer shown (for tests and host pages). */
  response: RecommendResponse | null = null;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.heading = h('h2', { id: 'h' });
    this.badge = h('span', { class: 'badge', part: 'badge', hidden: '' });
    this.status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    this.list = h('ol', { 'aria-labelledby': 'h', part: 'list' });
    this.root.append(h('style', {}, STYLES), h('section', { 'aria-labelledby': 'h' }, h('header', {}, this.heading, this.badge), this.status, this.list));
  }

  connectedCallback(): void {
    this.connected = true;
    this.heading.textContent = this.getAttribute('heading') ?? 'Recommended for you';
    void this.refresh();
  }

  disconnectedCallback(): void {
    this.connected = false;
  }

  attributeChangedCallback(_name: string, old: string | null, now: string | null): void {
    if (this.connected && old !== now) void this.refresh();
  }

  /** The browser session this widget records events for. */
  get sessionId(): string {
    const given = this.getAttribute('session-id');
    if (given) return given;
    if (!this.session) {
      try {
        this.session = sessionStorage.getItem(SESSION_KEY);
        if (!this.session) sessionStorage.setItem(SESSION_KEY, (this.session = newSessionId()));
      } catch {
        this.session = newSessionId(); // storage blocked (sandboxed frames, privacy modes): per page view
      }
    }
    return this.session;
  }

  /** Starts a new session (forgets what this visitor chose) and reloads. */
  resetSession(): Promise<void> {
    this.session = newSessionId();
    try {
      sessionStorage.setItem(SESSION_KEY, this.session);
    } catch {
      /* per page view only */
    }
    return this.refresh();
  }

  private client(): Client {
    const endpoint = (this.getAttribute('endpoint') ?? '').replace(/\/+$/, '');
    return createClient({ baseUrl: endpoint, apiKey: this.getAttribute('api-key') ?? '' });
  }

  private mediaBase(): string {
    return this.getAttribute('media-base') ?? `${(this.getAttribute('endpoint') ?? '').replace(/\/+$/, '')}/media/items`;
  }

  /** Loads and shows the recommendations for the session. */
  refresh(announce?: string): Promise<void> {
    const run = async () => {
      this.list.setAttribute('aria-busy', 'true');
      try {
        const k = Math.min(100, Math.max(1, Number(this.getAttribute('k') ?? 10) || 10));
        const res = await recommend(this.client(), { sessionId: this.sessionId, k, explain: this.hasAttribute('explain') });
        this.response = res;
        this.render(res);
        this.status.className = 'status';
        this.status.textContent = announce ?? `${res.items.length} recommendations`;
        this.dispatchEvent(new CustomEvent('llmrec-update', { detail: { response: res } }));
      } catch (err) {
        this.fail(err);
      } finally {
        this.list.removeAttribute('aria-busy');
      }
    };
    const p = (this.loading ?? Promise.resolve()).then(run);
    this.loading = p.finally(() => {
      if (this.loading === p) this.loading = null;
    });
    return p;
  }

  private fail(err: unknown): void {
    const e = err instanceof LlmrecError ? err : new LlmrecError(0, 'error', String(err));
    this.status.className = 'status error';
    // A refused origin shows as a network error: the browser hides the response without a CORS grant.
    this.status.textContent = e.status === 0 ? 'Recommendations are unavailable here (network error, or this site is not allowed to use this key).' : `Recommendations are unavailable: ${e.message}`;
    this.dispatchEvent(new CustomEvent('llmrec-error', { detail: { error: e } }));
  }

  private render(res: RecommendResponse): void {
    const active = this.root.activeElement;
    const focused = this.focusIndex >= 0 ? this.focusIndex : active instanceof HTMLButtonElement ? Number(active.dataset.index) : -1;
    this.focusIndex = -1;
    this.badge.hidden = !res.degraded && res.source === 'worker';
    this.badge.className = res.degraded ? 'badge degraded' : 'badge';
    this.badge.textContent = res.degraded ? `Degraded: ${res.source === 'cache' ? 'last good list' : 'popular items'}` : 'Popular picks';
    this.badge.title = res.reason ?? '';
    this.list.replaceChildren(...res.items.map((it, i) => this.card(it, i)));
    if (focused >= 0) (this.list.querySelectorAll('button.card')[Math.min(focused, res.items.length - 1)] as HTMLButtonElement | undefined)?.focus();
  }

  private card(it: RecommendedItem, i: number): HTMLLIElement {
    const poster = h('img', { class: 'poster', src: `${this.mediaBase()}/${encodeURIComponent(it.id)}`, alt: '', loading: 'lazy', decoding: 'async' });
    poster.addEventListener('error', () => poster.replaceWith(h('span', { class: 'poster placeholder', 'aria-hidden': 'true' }, it.title.trim().charAt(0).toUpperCase())), { once: true });
    const button = h('button', { class: 'card', type: 'button', part: 'card', 'data-id': it.id, 'data-index': String(i), ...(it.explanation ? { 'aria-describedby': `why-${i}` } : {}) }, poster, h('span', { class: 'meta' }, h('span', { class: 'rank' }, `${it.rank}.`), h('span', { class: 'title' }, it.title)));
    button.addEventListener('click', () => void this.choose(it));
    return h('li', {}, button, it.explanation ? this.explanation(it.explanation, i) : null);
  }

  private explanation(e: Explanation, i: number): HTMLElement {
    const cited = new Set(e.cited.neighbours);
    const chips = [
      ...e.evidence.neighbours.filter((n) => cited.has(n.id)).map((n) => h('li', { class: 'chip', title: `${n.coUsers} people chose both` }, `${n.title} · ${n.coUsers}`)),
      ...e.cited.attributes.map((a) => h('li', { class: 'chip attr' }, `${a.kind}: ${a.value}`)),
    ];
    const f = faithfulness(e);
    return h(
      'div',
      { class: 'explanation', id: `why-${i}` },
      h('p', { class: 'why' }, e.rationale.text),
      chips.length ? h('ul', { class: 'chips', 'aria-label': 'Evidence' }, ...chips) : null,
      f !== undefined ? h('span', { class: 'faith' }, `faithfulness ${f.toFixed(2)}`) : null,
    );
  }

  /** Records the choice for the session, tells the page, and shows the updated list. */
  async choose(it: RecommendedItem): Promise<void> {
    this.focusIndex = it.rank - 1;
    for (const b of this.list.querySelectorAll('button')) b.disabled = true;
    try {
      const type = (this.getAttribute('event-type') ?? 'click') as EventType;
      const r = await sendEvents(this.client(), { sessionId: this.sessionId, itemId: it.id, type });
      this.dispatchEvent(new CustomEvent('llmrec-select', { detail: { item: it, eventIds: r.eventIds } }));
      await this.refresh(`Updated after you chose ${it.title}`);
    } catch (err) {
      this.fail(err);
      for (const b of this.list.querySelectorAll('button')) b.disabled = false;
    }
  }
}
