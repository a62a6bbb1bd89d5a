/** The demo's data: three stations and deterministic readings, so it needs no files or network. */
export const STATIONS = ['north', 'harbour', 'airport'];

export function reading(station: string, hour: number): number {
  const base = 10 + STATIONS.indexOf(station) * 3;
  return Math.round((base + 6 * Math.sin((hour / 24) * 2 * Math.PI) + ((hour * 7919) % 10) / 10) * 10) / 10;
}
