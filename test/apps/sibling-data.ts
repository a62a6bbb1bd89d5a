/** Data for `with-sibling.ts`: proves an app module can import its own sibling TypeScript modules. */
export const SIBLING_TITLE = 'Sibling-powered app';

export interface Fruit {
  name: string;
  colour: string;
}

export const FRUITS: Fruit[] = [
  { name: 'quince', colour: 'yellow' },
  { name: 'damson', colour: 'purple' },
];
