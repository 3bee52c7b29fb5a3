// What the text encoder reads for an item (issue 10 part 1): one string composed from the canonical item record
// (docs/dataset-format.md). ML-100K: title (with year), genres, IMDb plot, director, first three cast members;
// Games: the title (all it has); Beauty: its titles are placeholders ('item <id>') and its attributes anonymised
// brand/category ids, so it gets the attribute ids as words (items sharing attributes share tokens; there is no
// natural-language text); imported datasets and the item API: their other free-text fields too. Plot comes before
// names: USE-lite reads at most 128 tokens.

export interface ItemTextFields {
  genres?: string[];
  director?: string[];
  cast?: string[];
  plot?: string;
  attributes?: string[];
  /** Other free-text fields of imported datasets (`text_<name>` columns) and of the item API, read as 'name: value'. */
  fields?: Record<string, string>;
}

export interface TextItem {
  id: string;
  title: string;
  text: ItemTextFields;
}

const CAST_NAMES = 3;

export const ITEM_TEXT_DESCRIPTION =
  "title + genres + plot + other free-text fields as 'name: value' + 'Directed by' director + 'Starring' first 3 cast + 'attributes' ids, whichever the item has (placeholder titles 'item <id>' skipped)";

function sentence(s: string): string {
  const t = s.trim();
  return !t || /[.!?]$/.test(t) ? t : `${t}.`;
}

/** The text fed to the encoder; '' when the item has nothing to read. */
export function itemText(item: TextItem): string {
  const t = item.text;
  const parts: string[] = [];
  const title = item.title.trim();
  if (title && title !== `item ${item.id}`) parts.push(sentence(title));
  if (t.genres?.length) parts.push(sentence(t.genres.join(', ')));
  if (t.plot?.trim()) parts.push(sentence(t.plot));
  for (const [name, value] of Object.entries(t.fields ?? {})) if (value.trim()) parts.push(sentence(`${name}: ${value}`));
  if (t.director?.length) parts.push(sentence(`Directed by ${t.director.join(', ')}`));
  if (t.cast?.length) parts.push(sentence(`Starring ${t.cast.slice(0, CAST_NAMES).join(', ')}`));
  if (t.attributes?.length) parts.push(sentence(`attributes ${t.attributes.join(' ')}`));
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}
