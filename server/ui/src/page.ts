// What every page of the dashboard gives the shell.

import type { LiveEvent } from "./generated";
import type { FeedState } from "./live";
import type { Note } from "./notifications";

/** A mounted page. */
export interface Page {
  /** The document title (in the current language). */
  title(): string;
  /** The page's root element, placed in `<main>`. */
  element: HTMLElement;
  /** Re-renders texts after a language switch. */
  relabel?(): void;
  /** Stops what the page runs (timers) before it is removed. */
  destroy(): void;
  /** A frame of the shell's live feed (one feed per session, shared by every page). */
  live?(e: LiveEvent): void;
  /** The live feed's connection changed. */
  feedState?(s: FeedState): void;
  /** Shows what a notification is about in place; false: the shell navigates to it. */
  openNote?(n: Note): boolean;
}
