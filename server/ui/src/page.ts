// What every page of the dashboard gives the shell.

/** A mounted page. */
export interface Page {
  /** The document title (in the current language). */
  title(): string;
  /** The page's root element, placed in `<main>`. */
  element: HTMLElement;
  /** Re-renders texts after a language switch. */
  relabel?(): void;
  /** Stops what the page runs (feeds, timers) before it is removed. */
  destroy(): void;
}
