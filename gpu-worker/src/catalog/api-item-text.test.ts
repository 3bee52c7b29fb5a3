// The text the item writer feeds the text encoder for an item of the API is the text the encoders package
// composed for the same content offline (encoders/item-text.ts), so online and offline features agree.
import { describe, expect, it } from 'vitest';
import { itemText } from '../encoders/item-text.ts';
import { apiItemText } from './item-writer.ts';

describe('apiItemText', () => {
  it("reads description as the plot, fields.director / fields.cast as the dataset's director and cast, other fields as 'name: value'", () => {
    const offline = { id: '1', title: 'Toy Story (1995)', text: { genres: ['Animation', "Children's", 'Comedy'], plot: 'A cowboy doll is profoundly threatened and jealous when a new spaceman figure supplants him.', fields: { studio: 'Pixar' }, director: ['John Lasseter'], cast: ['Tom Hanks', 'Tim Allen', 'Don Rickles', 'Jim Varney'] } };
    const api = { id: 'toy-story-copy', title: offline.title, genres: offline.text.genres, description: offline.text.plot, year: 1995, fields: { director: 'John Lasseter', cast: 'Tom Hanks, Tim Allen, Don Rickles, Jim Varney', studio: 'Pixar' } };
    expect(apiItemText(api)).toBe(itemText(offline));
    expect(apiItemText(api)).toContain('supplants him. studio: Pixar. Directed by John Lasseter. Starring Tom Hanks, Tim Allen, Don Rickles.');
    expect(apiItemText(api)).not.toContain('director:');
    expect(apiItemText({ id: 'b', title: 'Winter Light' })).toBe('Winter Light.');
  });
});
