/**
 * A small weather explorer: pick a continent, then one of its cities (a chained callback),
 * choose how many days to show, and read the temperatures off a plotly chart served locally.
 *
 *   npm start          (or: npx dash-ts run examples/demo.ts --port 8050)
 */
import { type CallbackContext, Dash, dcc, html, Input, noUpdate, Output, State } from 'dash-ts';

const CITIES: Record<string, { name: string; base: number; swing: number }[]> = {
  Europe: [
    { name: 'Lisbon', base: 17, swing: 5 },
    { name: 'Oslo', base: 6, swing: 9 },
    { name: 'Vienna', base: 11, swing: 10 },
  ],
  Asia: [
    { name: 'Tokyo', base: 16, swing: 9 },
    { name: 'Mumbai', base: 28, swing: 3 },
  ],
  Americas: [
    { name: 'Toronto', base: 8, swing: 14 },
    { name: 'Lima', base: 19, swing: 3 },
    { name: 'Denver', base: 11, swing: 12 },
  ],
};

/** Deterministic pseudo-weather, so the demo needs no data files or network. */
export function temperatures(city: string, days: number): number[] {
  const info = Object.values(CITIES)
    .flat()
    .find((c) => c.name === city);
  if (!info) return [];
  let seed = [...city].reduce((sum, ch) => sum + ch.charCodeAt(0), 0);
  const noise = () => {
    seed = (seed * 9301 + 49297) % 233280;
    return seed / 233280 - 0.5;
  };
  return Array.from({ length: days }, (_, day) => {
    const seasonal = info.swing * Math.sin((2 * Math.PI * day) / 365);
    return Math.round((info.base + seasonal + 4 * noise()) * 10) / 10;
  });
}

export const app = new Dash({ title: 'Weather explorer' });

const card = { padding: '12px 16px', border: '1px solid #ddd', borderRadius: '8px', marginBottom: '12px' };

app.layout = html.Div({
  style: { fontFamily: 'system-ui, sans-serif', maxWidth: '860px', margin: '24px auto' },
  children: [
    html.H1({ children: 'Weather explorer' }),
    html.Div({
      style: card,
      children: [
        html.Label({ children: 'Continent', htmlFor: 'continent' }),
        dcc.Dropdown({
          id: 'continent',
          options: Object.keys(CITIES),
          value: 'Europe',
          clearable: false,
        }),
        html.Label({ children: 'City', htmlFor: 'city' }),
        dcc.Dropdown({ id: 'city', clearable: false }),
        html.Label({ children: 'Days to show' }),
        dcc.Slider({
          id: 'days',
          min: 7,
          max: 90,
          step: 1,
          value: 30,
          marks: { 7: '7', 30: '30', 60: '60', 90: '90' },
        }),
      ],
    }),
    dcc.Graph({ id: 'chart', style: { height: '360px' } }),
    html.Div({ id: 'summary', style: card }),
    html.Div({
      style: card,
      children: [
        html.H3({ children: 'Climate report', style: { marginTop: 0 } }),
        html.P({ children: 'Crunches a simulated decade for the chosen city in the background.' }),
        html.Button({ id: 'report-run', children: 'Build report', n_clicks: 0 }),
        html.Button({
          id: 'report-cancel',
          children: 'Cancel',
          disabled: true,
          style: { marginLeft: '8px' },
        }),
        html.Div({
          style: { marginTop: '8px' },
          children: [
            html.Progress({ id: 'report-progress', value: '0', max: '10', style: { width: '100%' } }),
            html.Span({ id: 'report-status', children: 'Idle.' }),
          ],
        }),
        html.Div({ id: 'report', style: { marginTop: '8px' } }),
      ],
    }),
    html.Div({
      style: card,
      children: [
        html.Label({ children: 'Note for this city ', htmlFor: 'note' }),
        dcc.Input({ id: 'note', type: 'text', placeholder: 'type a note', debounce: false }),
        html.Button({ id: 'save', children: 'Save note', n_clicks: 0, style: { marginLeft: '8px' } }),
        html.Div({ id: 'saved', children: 'No note saved yet.' }),
      ],
    }),
  ],
});

// Chained: the continent picks the city options, the options pick the city.
app.callback(
  { output: [Output('city', 'options'), Output('city', 'value')], inputs: [Input('continent', 'value')] },
  (continent: string) => {
    const names = (CITIES[continent] ?? []).map((c) => c.name);
    return [names, names[0] ?? null];
  },
);

app.callback(
  {
    output: [Output('chart', 'figure'), Output('summary', 'children')],
    inputs: [Input('city', 'value'), Input('days', 'value')],
  },
  (city: string | null, days: number) => {
    if (!city) return [noUpdate, 'Pick a city.'];
    const temps = temperatures(city, days);
    const mean = temps.reduce((a, b) => a + b, 0) / temps.length;
    const figure = {
      data: [{ type: 'scatter', mode: 'lines+markers', x: temps.map((_, i) => i + 1), y: temps, name: city }],
      layout: {
        title: { text: `${city}: daily mean temperature` },
        xaxis: { title: { text: 'day' } },
        yaxis: { title: { text: '°C' } },
        margin: { t: 48, r: 16, b: 48, l: 56 },
      },
    };
    const summary = [
      html.Strong({ children: city }),
      ` over ${days} days: mean ${mean.toFixed(1)} °C, `,
      `min ${Math.min(...temps)} °C, max ${Math.max(...temps)} °C.`,
    ];
    return [figure, summary];
  },
);

app.callback(
  {
    output: Output('saved', 'children'),
    inputs: [Input('save', 'n_clicks')],
    state: [State('note', 'value'), State('city', 'value')],
    preventInitialCall: true,
    running: [[Output('save', 'disabled'), true, false]],
  },
  (clicks: number, note: string | null, city: string | null, ctx: CallbackContext) => {
    if (!note) {
      ctx.setProps('note', { placeholder: 'write something first' });
      return noUpdate;
    }
    return `Saved note #${clicks} for ${city}: “${note}”`;
  },
);

// A background callback: the work runs in a warm worker process (the embedded SqliteManager),
// while the page shows a progress bar and can cancel it.
app.callback(
  {
    background: true,
    output: Output('report', 'children'),
    inputs: [Input('report-run', 'n_clicks')],
    state: [State('city', 'value')],
    preventInitialCall: true,
    progress: [Output('report-progress', 'value'), Output('report-status', 'children')],
    progressDefault: ['0', 'Idle.'],
    running: [
      [Output('report-run', 'disabled'), true, false],
      [Output('report-cancel', 'disabled'), false, true],
    ],
    cancel: Input('report-cancel', 'n_clicks'),
    interval: 250,
  },
  async (_clicks: number, city: string | null, ctx: CallbackContext) => {
    if (!city) return 'Pick a city first.';
    const years = 10;
    const means: number[] = [];
    for (let year = 1; year <= years; year++) {
      if (ctx.signal.aborted) return noUpdate;
      const temps = temperatures(city, 365);
      means.push(temps.reduce((a, b) => a + b, 0) / temps.length + (year - years / 2) * 0.03);
      // Stands in for real work: a slow query, a model fit, a file export.
      await new Promise((r) => setTimeout(r, 300));
      ctx.setProgress([String(year), `Year ${year} of ${years}…`]);
    }
    const warmest = means.indexOf(Math.max(...means)) + 1;
    return `${city}: decade mean ${(means.reduce((a, b) => a + b, 0) / years).toFixed(2)} °C, warmest year ${warmest}.`;
  },
);

if (import.meta.url === `file://${process.argv[1]}`) {
  await app.run();
}
