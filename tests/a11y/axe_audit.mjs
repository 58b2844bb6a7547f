#!/usr/bin/env node
// Accessibility audit of one HTML file with axe-core in headless Chromium.
//
//   node tests/a11y/axe_audit.mjs FILE.html [--out report.json] [--ancho PX]
//
// --ancho: the width of the window, in CSS px (default 1280; 390 is a phone).
//
// Prints {"violations": [{id, impact, help, nodes: [{target, html, failureSummary}]}], "passes": N}
// on stdout (and into --out when given). Runs axe's default rule set (best practices included).
// Exit codes: 0 no violations, 1 violations found, 2 error (message on stderr).
// Env: CHROMIUM (browser binary, default /usr/bin/chromium), AXE_TIMEOUT (seconds, default 120).

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import axe from "axe-core";
import puppeteer from "puppeteer-core";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TIMEOUT_MS = Number(process.env.AXE_TIMEOUT || 120) * 1000;
const HTML_MAX = 300;
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox", // needed as root
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function fail(message) {
  process.stderr.write(`axe_audit: ERROR: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  let file = null;
  let out = null;
  let width = 1280;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") {
      out = argv[++i];
      if (!out) fail("falta el archivo después de --out");
    } else if (argv[i] === "--ancho") {
      width = Number(argv[++i]);
      if (!Number.isInteger(width) || width < 200) fail("--ancho espera un número entero de píxeles (p. ej. 390)");
    } else if (argv[i].startsWith("-") || file) {
      fail(`argumento no reconocido: ${argv[i]}\nUso: node axe_audit.mjs ARCHIVO.html [--out reporte.json] [--ancho PX]`);
    } else {
      file = argv[i];
    }
  }
  if (!file) fail("Uso: node axe_audit.mjs ARCHIVO.html [--out reporte.json]");
  if (!existsSync(file)) fail(`no existe el archivo ${file}`);
  if (!existsSync(CHROMIUM)) fail(`no se encontró Chromium en ${CHROMIUM} (variable CHROMIUM)`);
  return { file: resolve(file), out, width };
}

function summarize(results) {
  return {
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target,
        html: n.html.length > HTML_MAX ? `${n.html.slice(0, HTML_MAX)}…` : n.html,
        failureSummary: n.failureSummary,
      })),
    })),
    passes: results.passes.length,
  };
}

async function main() {
  const { file, out, width } = parseArgs(process.argv.slice(2));
  const profile = mkdtempSync(join(tmpdir(), "axe-audit-chromium-"));
  let browser = null;
  const cleanup = () => {
    // SIGKILL is safe here: the profile is thrown away anyway.
    if (browser) browser.process()?.kill("SIGKILL");
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  };
  const timer = setTimeout(() => {
    cleanup();
    fail(`la auditoría tardó más de ${TIMEOUT_MS / 1000} s`);
  }, TIMEOUT_MS);

  let report;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: false, // CHROMIUM_ARGS carries --headless itself
      args: CHROMIUM_ARGS,
      userDataDir: profile,
      pipe: true, // talk CDP over a pipe: no debugging port
      timeout: TIMEOUT_MS,
      protocolTimeout: TIMEOUT_MS,
      defaultViewport: { width, height: 900, isMobile: width < 500, hasTouch: width < 500 },
    });
    const page = await browser.newPage();
    await page.setBypassCSP(true); // the report's policy forbids scripts: axe-core is injected
    await page.goto(pathToFileURL(file).href, { waitUntil: "load", timeout: TIMEOUT_MS });
    await page.evaluate(axe.source);
    const results = await page.evaluate(() => window.axe.run(document));
    report = summarize(results);
    await browser.close();
    browser = null;
  } catch (err) {
    cleanup();
    fail(err?.message || String(err));
  }
  clearTimeout(timer);
  cleanup();

  const json = JSON.stringify(report, null, 2);
  if (out) writeFileSync(out, `${json}\n`);
  process.stdout.write(`${json}\n`);
  process.exitCode = report.violations.length ? 1 : 0;
}

main().catch((err) => fail(err?.message || String(err)));
