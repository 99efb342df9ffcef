// Types for <herald-bell>, Herald's bell for any site (herald-bell.js beside
// this file). Served at /embed/herald-bell.d.ts; copy it into your project,
// or reference it with a triple-slash directive:
//
//   /// <reference path="./herald-bell.d.ts" />
//   const bell = document.querySelector('herald-bell');   // HeraldBellElement | null
//   bell?.addEventListener('herald-unread', (e) => setTitleCount(e.detail.unread));
//
// It declares the element for the DOM (document.createElement, querySelector,
// addEventListener with typed details) and for JSX (React, Preact, Solid).

/** A notification's button: a link (`url`) or a one-choice webhook action. */
export interface HeraldAction {
  label: string;
  url?: string | null;
}

/** One notification as its recipient sees it (Herald's `Notification`). */
export interface HeraldNotification {
  id: number;
  /** Its place in the user's own event sequence: the inbox's order. */
  seq: number;
  /** The sequence number of its latest change. */
  version: number;
  title: string;
  body: string;
  link: string | null;
  category: 'info' | 'success' | 'warning' | 'mention';
  actor: string | null;
  /** Unix times in milliseconds. */
  created_at: number;
  seen_at: number | null;
  read_at: number | null;
  archived_at: number | null;
  retracted_at: number | null;
  snoozed_until: number | null;
  /** Its category was muted when it arrived: listed, never counted. */
  muted: boolean;
  actions?: HeraldAction[];
  interacted_at: number | null;
  /** The webhook action chosen (its index), once chosen. */
  chosen_action?: number;
  /** The sender's grouping key, if any. */
  group_key?: string;
  /** Its row: notifications with the same `group_key` and `group` show, count and are read as one. */
  group?: number;
}

/** The events the element dispatches; all bubble and cross shadow roots. */
export interface HeraldBellEventMap extends HTMLElementEventMap {
  /** The unread count changed (and once with the first count, even 0). */
  'herald-unread': CustomEvent<{ unread: number }>;
  /** A new notification arrived live (not those a reconnect catches up on: the panel and `herald-unread` follow those). */
  'herald-notification': CustomEvent<{ notification: HeraldNotification }>;
  /** The live connection came up or went down (it reconnects by itself). */
  'herald-live': CustomEvent<{ live: boolean }>;
  /** Something the user is also shown in the panel went wrong. */
  'herald-error': CustomEvent<{ message: string }>;
}

/** Its attributes, as HTML and JSX take them. */
export interface HeraldBellAttributes {
  /** Herald's origin; default: where herald-bell.js was loaded from. */
  server?: string;
  /**
   * A URL on your own site answering `{"token": "…", "expires_at": …}` for
   * the signed-in user; fetched with the page's cookies and again before
   * the token expires.
   */
  'token-url'?: string;
  /** A connection token, when the page hands one over itself. */
  token?: string;
  /**
   * Its language (`en`, `de`); default: the nearest `lang` above it, the
   * page's, else the browser's. Others fall back to English. Titles and
   * bodies are the sender's text and are shown as sent.
   */
  lang?: string;
}

/** The CSS parts it exposes to `herald-bell::part(…)`. */
export type HeraldBellPart = 'button' | 'badge' | 'panel' | 'item' | 'title' | 'action' | 'group';

/** The custom properties it reads (set them on `herald-bell` or above). */
export type HeraldBellCssProperty =
  | '--herald-accent'
  | '--herald-bg'
  | '--herald-fg'
  | '--herald-muted'
  | '--herald-border'
  | '--herald-badge'
  | '--herald-unread';

export interface HeraldBellElement extends HTMLElement {
  /** Herald's origin it talks to (the `server` attribute or the script's). */
  readonly server: string;
  /** The unread count last received; 0 until the first (once the element is in the page). */
  readonly unread: number;
  /** Whether the live connection is up; also `data-link="live"`. */
  readonly live: boolean;
  /** Opens the panel and moves focus into it. */
  open(): void;
  /** Closes the panel. */
  close(): void;

  addEventListener<K extends keyof HeraldBellEventMap>(
    type: K,
    listener: (this: HeraldBellElement, ev: HeraldBellEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof HeraldBellEventMap>(
    type: K,
    listener: (this: HeraldBellElement, ev: HeraldBellEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'herald-bell': HeraldBellElement;
  }

  // JSX frameworks that read the global namespace (React 18's types,
  // Preact, Solid): <herald-bell token-url="/herald/token" />.
  namespace JSX {
    interface IntrinsicElements {
      'herald-bell': HeraldBellAttributes & {
        class?: string;
        className?: string;
        id?: string;
        style?: unknown;
        ref?: unknown;
        children?: never;
      };
    }
  }
}
