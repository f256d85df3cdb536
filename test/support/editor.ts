import type { Page } from "playwright-core";

/** What a person sees and does in the Node-RED editor, through its own menus and buttons. */

interface EditorNode {
  id: string;
  type: string;
  name?: string;
  valid?: boolean;
  validationErrors?: string[];
}

interface EditorWindow {
  RED: {
    nodes: { eachNode(visit: (node: EditorNode) => void): void; eachConfig(visit: (node: EditorNode) => void): void };
    menu: { setSelected(id: string, selected: boolean): void };
    view: { select(selection: string): void };
  };
}

/** Opens the editor and waits until the palette (with this package's nodes) and the flows are shown. */
export async function openEditor(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('.red-ui-palette-node[data-palette-type="signering-create"]').waitFor({ state: "attached", timeout: 30_000 });
  // The editor measures each label once and keeps the width: measured before the fonts are in, nodes come out too wide.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

/** Menu → Import → Examples → this package → the example, then a click on the workspace to place it. */
export async function importExample(page: Page, packageName: string, example: string): Promise<void> {
  await page.click("#red-ui-header-button-sidemenu");
  await page.click("#menu-item-import");
  const examples = page.locator("#red-ui-clipboard-dialog-import-tab-examples");
  await page.getByRole("link", { name: "Examples" }).click();
  await examples.getByText(packageName, { exact: true }).click();
  // Import is enabled once the click selects the example. On a loaded machine a click that lands while the
  // package's folder is still being filled in selects nothing (seen once in CI); a person clicks again, so do we.
  const importButton = page.locator("#red-ui-clipboard-dialog-ok:not([disabled])");
  for (let attempt = 1; ; attempt++) {
    await examples.getByText(example, { exact: true }).click();
    const selected = await importButton.waitFor({ timeout: 10_000 }).then(
      () => true,
      () => false,
    );
    if (selected) break;
    if (attempt === 3) throw new Error(`three clicks on the example "${example}" did not select it: Import stays disabled`);
  }
  await importButton.click();
  // Imported nodes follow the mouse until a click puts them down. As a person's hand does, the mouse moves
  // for a moment first: a drop before the editor has drawn (and measured) them snaps each by a wrong width.
  await page.waitForTimeout(300);
  await page.mouse.move(400, 300, { steps: 5 });
  await page.waitForTimeout(300);
  await page.mouse.click(400, 300);
  await page.locator(".red-ui-notification", { hasText: "Imported" }).waitFor();
  // The workspace is redrawn on the next animation frames.
  await page.waitForTimeout(500);
}

/** Every node the editor marks invalid (a red triangle), with the reasons it gives. */
export function invalidNodes(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { RED } = window as unknown as EditorWindow;
    const invalid: string[] = [];
    const check = (node: EditorNode) => {
      if (node.valid === false) invalid.push(`${node.type} ${node.name || node.id}: ${(node.validationErrors ?? []).join("; ")}`);
    };
    RED.nodes.eachNode(check);
    RED.nodes.eachConfig(check);
    return invalid;
  });
}

/** Clicks Deploy and returns the texts of the notifications that follow (a warning, or "Successfully deployed"). */
export async function deploy(page: Page): Promise<string[]> {
  await page.click("#red-ui-header-button-deploy");
  const outcome = page.locator(".red-ui-notification", { hasText: /Successfully deployed|not properly configured|Error/i });
  // The first deploy with the built-in emulator makes its certificates first: seconds on a busy machine.
  await outcome.first().waitFor({ timeout: 90_000 });
  return outcome.allInnerTexts();
}

/** Hides the palette and sidebar, and clears the selection, so the flow itself fills the workspace. */
export async function showOnlyTheFlow(page: Page): Promise<void> {
  await page.evaluate(() => {
    const { RED } = window as unknown as EditorWindow;
    RED.menu.setSelected("menu-item-palette", false);
    RED.menu.setSelected("menu-item-sidebar", false);
    RED.view.select("");
  });
}

/**
 * What overlaps on the workspace, as drawn: two nodes, a wire running through a node other than
 * its own two or over a status text, a status text running under another node. Empty when the
 * flow reads cleanly.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    interface Box {
      left: number;
      top: number;
      right: number;
      bottom: number;
    }
    const inset = (box: DOMRect, by: number): Box => ({
      left: box.left + by,
      top: box.top + by,
      right: box.right - by,
      bottom: box.bottom - by,
    });
    const intersects = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const nodes = [...document.querySelectorAll<SVGGElement>("g.red-ui-flow-node-group")].map((group) => ({
      id: group.id,
      label: group.querySelector(".red-ui-flow-node-label")?.textContent?.trim() || group.id,
      box: group.querySelector("rect.red-ui-flow-node")!.getBoundingClientRect(),
      status: group.querySelector<SVGGElement>(".red-ui-flow-node-status-group"),
    }));
    const problems: string[] = [];
    for (const [index, node] of nodes.entries()) {
      for (const other of nodes.slice(index + 1)) {
        if (intersects(inset(node.box, -4), inset(other.box, 0))) problems.push(`"${node.label}" and "${other.label}" overlap`);
      }
      const statusText = node.status?.querySelector("text")?.textContent ?? "";
      if (node.status && statusText !== "") {
        // Up to the node's own top: a status text longer than the gap runs under the next node of the row.
        const statusBox = { ...inset(node.status.getBoundingClientRect(), 0), top: node.box.top };
        for (const other of nodes) {
          if (other !== node && intersects(statusBox, inset(other.box, -2)))
            problems.push(`the status "${statusText}" of "${node.label}" runs under "${other.label}"`);
        }
      }
    }
    const byId = new Map(nodes.map((node) => [node.id, node]));
    for (const link of document.querySelectorAll<SVGPathElement>("g.red-ui-flow-link path.red-ui-flow-link-line")) {
      const datum = (link.parentNode as unknown as { __data__?: { source: { id: string }; target: { id: string } } }).__data__;
      if (!datum) continue;
      const ends = [byId.get(datum.source.id), byId.get(datum.target.id)];
      const matrix = link.getScreenCTM()!;
      const length = link.getTotalLength();
      const crossed = new Set<string>();
      const inside = (point: DOMPoint, box: Box) => point.x > box.left && point.x < box.right && point.y > box.top && point.y < box.bottom;
      for (let at = 0; at <= length; at += 4) {
        const point = new DOMPoint(link.getPointAtLength(at).x, link.getPointAtLength(at).y).matrixTransform(matrix);
        for (const node of nodes) {
          if (!ends.includes(node) && !crossed.has(node.id) && inside(point, inset(node.box, 1))) {
            crossed.add(node.id);
            problems.push(`the wire "${ends[0]?.label}" → "${ends[1]?.label}" runs through "${node.label}"`);
          }
          const statusText = node.status?.querySelector("text")?.textContent ?? "";
          if (statusText !== "" && !crossed.has(`status ${node.id}`) && inside(point, inset(node.status!.getBoundingClientRect(), 0))) {
            crossed.add(`status ${node.id}`);
            problems.push(`the wire "${ends[0]?.label}" → "${ends[1]?.label}" runs over the status "${statusText}" of "${node.label}"`);
          }
        }
      }
    }
    return problems;
  });
}

/** Each node's drawn width, by id: what a layout has to leave room for. */
export function nodeWidths(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const widths: Record<string, number> = {};
    (window as unknown as { RED: { nodes: { eachNode(visit: (node: { id: string; w: number }) => void): void } } }).RED.nodes.eachNode(
      (node) => (widths[node.id] = node.w),
    );
    return widths;
  });
}

/**
 * Drags a node of `type` from the palette onto the workspace at height `y` and opens its dialog;
 * with `configId`, chooses that configuration node in it.
 */
export async function addFromPalette(page: Page, type: string, y: number, configId?: string): Promise<void> {
  const before = await page.locator("g.red-ui-flow-node-group").count();
  await page
    .locator(`.red-ui-palette-node[data-palette-type="${type}"]`)
    .dragTo(page.locator("#red-ui-workspace-chart"), { targetPosition: { x: 300, y } });
  await page.waitForFunction((count) => document.querySelectorAll("g.red-ui-flow-node-group").length > count, before);
  await page.locator("g.red-ui-flow-node-group").last().dblclick();
  await page.locator("#node-dialog-ok").waitFor();
  if (configId !== undefined) await page.selectOption("#node-input-config", configId);
}

/** Opens the first create node's dialog and, from it, its configuration node's dialog (a new one when it has none). */
export async function openConfigDialogFromCreateNode(page: Page): Promise<void> {
  const createId = await page.evaluate(
    () =>
      (window as unknown as { RED: { nodes: { filterNodes(filter: { type: string }): { id: string }[] } } }).RED.nodes.filterNodes({
        type: "signering-create",
      })[0]?.id,
  );
  await page.locator(`g.red-ui-flow-node-group[id="${createId}"]`).dblclick();
  await page.locator("#node-input-btn-config-edit").click();
  await page.locator("#node-config-dialog-ok").waitFor();
}
