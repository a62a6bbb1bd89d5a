import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ComponentBuilder, childrenPropsConfig, dcc, html } from '../../src/components/index.ts';

const builders = (library: object): string[] =>
  Object.entries(library)
    .filter(([, value]) => typeof value === 'function')
    .map(([name]) => name)
    .sort();

const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('builders', () => {
  test('serialise to Dash layout JSON', () => {
    const layout = html.Div({
      id: 'root',
      style: { marginTop: 4, color: 'red' },
      children: ['Hello', dcc.Input({ id: { type: 'field', index: 1 }, value: 3, type: 'number' }), null],
    });
    assert.deepEqual(wire(layout), {
      props: {
        id: 'root',
        style: { marginTop: 4, color: 'red' },
        children: [
          'Hello',
          {
            props: { id: { type: 'field', index: 1 }, value: 3, type: 'number' },
            type: 'Input',
            namespace: 'dash_core_components',
          },
          null,
        ],
      },
      type: 'Div',
      namespace: 'dash_html_components',
    });
  });

  test('drop undefined props and keep null ones', () => {
    assert.deepEqual(wire(dcc.Dropdown({ id: 'd', value: null, placeholder: undefined })), {
      props: { id: 'd', value: null },
      type: 'Dropdown',
      namespace: 'dash_core_components',
    });
  });

  test('need no props where the component needs none', () => {
    assert.deepEqual(wire(html.Hr()), { props: {}, type: 'Hr', namespace: 'dash_html_components' });
  });

  test('know their namespace and type', () => {
    const builder: ComponentBuilder<object> = dcc.Graph;
    assert.equal(builder.namespace, 'dash_core_components');
    assert.equal(builder.type, 'Graph');
    assert.equal(html.ObjectEl.type, 'ObjectEl');
  });

  test('prop types come from the metadata (checked by tsc)', () => {
    // Each call below is valid at runtime; tsc fails the build unless each is a type error.
    // @ts-expect-error n_clicks is a number
    html.Div({ n_clicks: 'many' });
    // @ts-expect-error no such prop on Hr
    html.Hr({ nonsense: 1 });
    // @ts-expect-error Input.type is a closed set
    dcc.Input({ type: 'colour' });
    // @ts-expect-error Dropdown.multi is a boolean
    dcc.Dropdown({ multi: 'yes' });
    // @ts-expect-error Store.id is required by the metadata
    dcc.Store({ data: [] });
    // @ts-expect-error style values are strings or numbers
    html.Span({ style: { color: ['red'] } });
    // @ts-expect-error data-* attributes are strings
    html.Div({ 'data-count': { n: 1 } });

    // And these compile.
    html.Div({ 'data-role': 'card', 'aria-label': 'card', className: 'x', hidden: 'hidden' });
    dcc.Dropdown({ options: [{ label: 'A', value: 'a' }, 'b', 3], value: ['a'], multi: true });
    dcc.Checklist({ options: { a: 'A' }, value: [] });
    dcc.Slider({
      min: 0,
      max: 10,
      marks: { 0: 'zero', 10: { label: 'ten' } },
      tooltip: { placement: 'bottom' },
    });
    dcc.Graph({
      figure: { data: [{ x: [1, 2], y: [3, 4], type: 'bar' }], layout: { title: { text: 't' } } },
    });
    dcc.Tabs({ value: 'a', children: [dcc.Tab({ label: 'A', value: 'a' })] });
    dcc.Loading({ children: html.P({ children: 'x' }), custom_spinner: html.Span({ children: '...' }) });
    html.Progress({ value: '3', max: '10' });
  });
});

describe('component lists', () => {
  test('html has every element the package ships', () => {
    const names = builders(html);
    assert.ok(names.length >= 120, `${names.length} html builders`);
    for (const name of [
      'Div',
      'Button',
      'Progress',
      'P',
      'H1',
      'H6',
      'Span',
      'A',
      'Img',
      'Table',
      'MapEl',
      'ObjectEl',
    ]) {
      assert.ok(names.includes(name), name);
    }
  });

  test('dcc has every component the package ships', () => {
    const names = builders(dcc);
    for (const name of [
      'Button',
      'Checklist',
      'Clipboard',
      'ConfirmDialog',
      'ConfirmDialogProvider',
      'DatePickerRange',
      'DatePickerSingle',
      'Download',
      'Dropdown',
      'Geolocation',
      'Graph',
      'Input',
      'Interval',
      'Link',
      'Loading',
      'Location',
      'Markdown',
      'RadioItems',
      'RangeSlider',
      'Slider',
      'Store',
      'Tab',
      'Tabs',
      'Textarea',
      'Tooltip',
      'Upload',
    ]) {
      assert.ok(names.includes(name), name);
    }
  });
});

describe('children_props', () => {
  const childrenProps = childrenPropsConfig();
  test('lists every component type of both libraries', () => {
    assert.deepEqual(Object.keys(childrenProps).sort(), ['dash_core_components', 'dash_html_components']);
    assert.deepEqual(Object.keys(childrenProps.dash_html_components!).sort(), builders(html));
    assert.deepEqual(Object.keys(childrenProps.dash_core_components!).sort(), builders(dcc));
  });

  test('matches what Dash sends', () => {
    for (const paths of Object.values(childrenProps.dash_html_components!)) assert.deepEqual(paths, []);
    const nonEmpty = Object.entries(childrenProps.dash_core_components!).filter(([, paths]) => paths.length);
    assert.deepEqual(Object.fromEntries(nonEmpty), {
      Clipboard: ['copied_children'],
      Loading: ['custom_spinner'],
      Tab: ['label'],
    });
  });
});
