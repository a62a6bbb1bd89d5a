/**
 * Dash's inferences for pages (dash/_pages.py), with the cases of Dash's own
 * tests/unit/pages/test_pages.py (test_infer_path, test_import_layouts_from_pages's module names)
 * and what Python's str.capitalize does to names.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  folderModuleName,
  moduleNameFor,
  nameFromModule,
  pathFromModule,
} from '../../src/app/pages/inference.ts';

const APP_DIR = '/srv/app';

describe("Dash's page inferences", () => {
  it('infers the path from the module name, as _infer_path (test_infer_path)', () => {
    const cases: [string, string | undefined, string][] = [
      ['pages.page1', 'pages', '/page1'],
      ['Pages.page1', 'Pages', '/page1'],
      ['custom_pages.page1', 'custom_pages', '/page1'],
      ['custom.pages.page1', 'custom.pages', '/page1'],
      ['custom.pages.page1', folderModuleName(APP_DIR, join(APP_DIR, 'custom', 'pages')), '/page1'],
      ['custom_pages.chapter_1.page_1', 'custom_pages', '/chapter-1/page-1'],
      ['dir.my_page', undefined, '/dir/my-page'],
      ['pages.Weekly_Report', 'pages', '/weekly-report'],
    ];
    for (const [module, folder, expected] of cases)
      assert.equal(pathFromModule(module, folder), expected, module);
  });

  it('names a page module by its folder and file, as _infer_module_name (test_import_layouts_from_pages)', () => {
    const page = (folder: string) =>
      moduleNameFor(APP_DIR, join(APP_DIR, folder), join(APP_DIR, folder, 'page.ts'));
    assert.equal(page('custom_pages'), 'custom_pages.page');
    assert.equal(page('sub_dir/custom_pages'), 'sub_dir.custom_pages.page');
    assert.equal(
      moduleNameFor(APP_DIR, join(APP_DIR, 'pages'), join(APP_DIR, 'pages', 'a', 'b_c.mts')),
      'pages.a.b_c',
    );
    // A folder outside the app's folder is named by its whole path.
    assert.equal(moduleNameFor(APP_DIR, '/opt/site/pages', '/opt/site/pages/home.js'), 'opt.site.pages.home');
  });

  it('names a page as _module_name_to_page_name: last part, _ as spaces, str.capitalize', () => {
    assert.equal(nameFromModule('pages.weekly_analytics'), 'Weekly analytics');
    assert.equal(nameFromModule('multi_layout2'), 'Multi layout2');
    assert.equal(nameFromModule('pages.FAQ'), 'Faq');
  });
});
