// Styles of <llmrec-recommendations> (inside its shadow root, so pages cannot break it and it cannot break
// pages). Themable through CSS custom properties; the grid reflows from one phone column pair to many on
// wide screens; focus is always visible for keyboard users.
export const STYLES = `
:host { display: block; font: inherit; color: var(--llmrec-fg, #1f2430); --accent: var(--llmrec-accent, #3b5bdb); }
[hidden] { display: none !important; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin-bottom: .75rem; }
h2 { font-size: 1.15rem; margin: 0; }
.badge { font-size: .75rem; border-radius: 999px; padding: .15rem .6rem; border: 1px solid #adb5bd; background: #f1f3f5; }
.badge.degraded { background: #fff3bf; border-color: #f08c00; color: #663c00; }
.status { font-size: .85rem; color: #495057; margin: 0 0 .5rem; min-height: 1.2em; }
.error { color: #c92a2a; }
ol { list-style: none; margin: 0; padding: 0; display: grid; gap: .75rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 9.5rem), 1fr)); }
li { display: flex; flex-direction: column; gap: .35rem; min-width: 0; }
button.card { font: inherit; color: inherit; text-align: left; cursor: pointer; display: flex; flex-direction: column; width: 100%; padding: 0;
  border: 1px solid #ced4da; border-radius: .5rem; background: var(--llmrec-card-bg, #fff); overflow: hidden; }
button.card:hover { border-color: var(--accent); }
button.card:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
button.card[disabled] { cursor: progress; opacity: .6; }
.poster { display: block; width: 100%; aspect-ratio: 2 / 3; object-fit: cover; background: #dee2e6; }
.placeholder { display: flex; align-items: center; justify-content: center; font-size: 2rem; font-weight: 700; color: #868e96; }
.meta { display: flex; gap: .4rem; padding: .45rem .5rem .55rem; align-items: baseline; }
.rank { font-size: .8rem; color: #868e96; }
.title { font-weight: 600; line-height: 1.25; overflow-wrap: anywhere; }
.why { font-size: .8rem; line-height: 1.35; margin: 0; color: #343a40; }
.chips { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem; margin: 0; padding: 0; }
.chip { display: inline-block; font-size: .72rem; border-radius: 999px; padding: .1rem .45rem; background: #edf2ff; border: 1px solid #bac8ff; }
.chip.attr { background: #f3f0ff; border-color: #d0bfff; }
.faith { font-size: .72rem; color: #2b8a3e; }
@media (max-width: 420px) { ol { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .5rem; } }
`;
