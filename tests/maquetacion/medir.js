// What a reader of the report sees, measured in Chromium after layout (tests/test_maquetacion.py).
//
// Returns {ancho, desborde, cortadas, anchas, graficas}:
//   ancho     the viewport's width and the document's (a page wider than the screen scrolls sideways);
//   desborde  table cells whose content is wider than the cell (scrollWidth > clientWidth);
//   cortadas  words of the text split across two lines (a word whose box has two line boxes); a
//             break after a hyphen is no split, and a web address may break where it must;
//   anchas    elements wider than the viewport that are not inside a box that scrolls sideways;
//   graficas  for each chart, the smallest size of its text as shown, in CSS px.
() => {
  const main = document.querySelector("main.informe") || document.body;
  const texto = (el) => (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 80);
  const donde = (el) => {
    const tabla = el.closest("table");
    const seccion = el.closest("section, div.celda")?.querySelector("h1, h2, h3");
    return (tabla ? "tabla." + [...tabla.classList].join(".") : el.tagName.toLowerCase())
      + (seccion ? " bajo «" + texto(seccion).slice(0, 40) + "»" : "");
  };
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";

  const desborde = [];
  for (const cell of main.querySelectorAll("td, th")) {
    if (visible(cell) && cell.scrollWidth > cell.clientWidth + 1) {
      desborde.push({texto: texto(cell), donde: donde(cell), contenido: cell.scrollWidth, celda: cell.clientWidth});
    }
  }

  const cortadas = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !visible(parent) || parent.closest("style, script, svg")) continue;
    for (const match of node.data.matchAll(/[^\s\u00ad-]+-?/g)) {  // a break after a hyphen is no split
      const word = match[0];
      if (word.length < 2 || word.includes("://")) continue;  // an address may break where it must
      range.setStart(node, match.index);
      range.setEnd(node, match.index + word.length);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (tops.size > 1) cortadas.push({palabra: word, donde: donde(parent)});
    }
  }

  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") return true;
    }
    return false;
  };
  const anchas = [];
  const limite = document.documentElement.clientWidth;
  for (const el of main.querySelectorAll("*")) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if ((r.right > limite + 1 || r.left < -1) && !scrolls(el)) {
      anchas.push({elemento: el.tagName.toLowerCase() + "." + [...el.classList].join("."), donde: donde(el),
                   izquierda: Math.round(r.left), derecha: Math.round(r.right)});
    }
  }

  const graficas = [];
  for (const img of main.querySelectorAll("img.grafica")) {
    const src = img.getAttribute("src") || "";
    if (!src.startsWith("data:image/svg+xml;base64,")) continue;
    const svg = new DOMParser().parseFromString(atob(src.split(",")[1]), "image/svg+xml").documentElement;
    const ancho = parseFloat(svg.getAttribute("width"));  // pt
    const tamanos = [...svg.querySelectorAll("text")].map((t) => {
      const m = /font-size:\s*([\d.]+)px/.exec(t.getAttribute("style") || "")
        || /font:[^;]*?([\d.]+)px/.exec(t.getAttribute("style") || "");
      return m ? parseFloat(m[1]) : NaN;
    }).filter((x) => !isNaN(x));
    // font sizes in the SVG's user units (pt, as its width): shown at img.clientWidth CSS px
    const escala = img.getBoundingClientRect().width / ancho;
    graficas.push({minimo: tamanos.length ? Math.min(...tamanos) * escala : null, donde: donde(img)});
  }

  return {ancho: {ventana: limite, documento: document.documentElement.scrollWidth}, desborde, cortadas, anchas,
          graficas};
}
