// The report as a document: sections of tables (cells already formatted) and plots (Vega-Lite specs rendered to
// SVG), or a "not available: <why>" line where an input is missing. Built by sections.ts, printed by render.ts;
// report.json holds the same document so a test (or a reader) can check what the page must show.
import type { TopLevelSpec } from 'vega-lite';

export interface Table {
  id: string;
  title: string;
  columns: string[];
  rows: string[][];
  notes: string[];
}

export interface Plot {
  id: string;
  title: string;
  spec: TopLevelSpec;
  /** Filled by render.ts. */
  svg?: string;
}

export interface Section {
  id: string;
  title: string;
  intro: string[];
  tables: Table[];
  plots: Plot[];
  /** Parts of the section that could not be produced, each "not available: <why>". */
  unavailable: string[];
}

export interface ReportDoc {
  title: string;
  createdAt: string;
  command: string;
  commit: string | null;
  machine: string;
  quick: boolean;
  datasets: string[];
  seeds: number[];
  sections: Section[];
}
