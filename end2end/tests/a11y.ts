import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** The rules the audits hold every page to: WCAG 2.1, levels A and AA. */
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core over `page` as it is now, in both colour schemes, and fails
 * on any violation, naming each rule and the elements that break it.
 */
export async function audit(page: Page, state: string, include?: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    // Rows slide in (180 ms): audit what stays, not a frame half-faded.
    await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
    let axe = new AxeBuilder({ page }).withTags(WCAG_21_AA);
    if (include) axe = axe.include(include);
    const { violations } = await axe.analyze();
    const found = violations.map((v) => ({
      rule: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
    }));
    expect(found, `${state} (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/**
 * Presses Tab (or Shift+Tab) until `target` has the focus, as a keyboard
 * user would; fails if it never comes within `limit` presses.
 */
export async function tabTo(page: Page, target: ReturnType<Page['locator']>, limit = 40, back = false): Promise<void> {
  await expect(target).toBeVisible();
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement)).catch(() => false)) {
      return;
    }
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  await expect(target, `reached by keyboard within ${limit} presses`).toBeFocused();
}
