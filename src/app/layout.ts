/** What `app.layout` (and a page's layout) may be: components, text, numbers, or a function building them. */
import type { Component } from '../components/index.ts';

export type LayoutNode = Component | string | number | null;
export type LayoutValue = LayoutNode | LayoutNode[];
/** A layout, or a function building one for every page load. */
export type Layout = LayoutValue | (() => LayoutValue | Promise<LayoutValue>);
