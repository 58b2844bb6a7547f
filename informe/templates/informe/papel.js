// Prepara el informe para el papel. render.html_to_pdf lo evalúa en Chromium (medio "print")
// antes de cada impresión; el HTML publicado no lo lleva.
//
//   paginas: {ancla: número de página} de la impresión anterior, o null en la primera.
//
// 1. Encabezado corrido: cada sección (h1.seccion) y lo que le sigue hasta la siguiente se
//    imprimen en páginas con nombre ("grupo-N"), cuyo margen superior derecho lleva el encabezado
//    corto de la sección (data-encabezado, de params «encabezados»); a la izquierda de todas las
//    páginas salvo la portada, el título del informe y la dependencia en una línea (data-encabezado
//    de la portada; si no hay portada, <title>). Chromium no tiene string-set: las
//    páginas con nombre hacen lo mismo. Secciones seguidas con el mismo encabezado comparten sus
//    páginas (una sección empieza hoja nueva solo donde cambia el encabezado: Chromium salta de
//    página al cambiar de nombre).
// 2. Índice: cada entrada recibe su número de página (data-pagina, que informe.css muestra con
//    una línea punteada). En la primera impresión, un número provisional del mismo ancho.
// 3. Borrador: la primera impresión solo dice en qué página cae cada ancla. Se imprime sin pintar
//    más que los vínculos del índice y sus destinos (visibility no cambia la maquetación): tarda
//    la mitad.
// Devuelve los encabezados visibles (h1 a h6) en orden, los mismos que Chromium pone en los
// marcadores del PDF: [{nivel, texto, portada}] ("portada": está en la portada).
(paginas) => {
  const limpio = (el) => el.textContent.replace(/\s+/g, " ").trim();
  const cadena = (texto) => JSON.stringify(texto);  // sin saltos de línea: también una cadena CSS

  const main = document.querySelector("main.informe");
  const izquierda = document.querySelector("section.portada")?.dataset.encabezado || document.title;
  let reglas = "@page { @top-left { content: " + cadena(izquierda) + "; } }\n";
  let actual = null;
  let encabezado = null;
  let grupos = 0;
  for (const bloque of main.children) {
    const h1 = bloque.querySelector("h1.seccion");
    const texto = h1 ? (h1.dataset.encabezado || limpio(h1)) : null;
    if (h1 && texto !== encabezado) {
      encabezado = texto;
      actual = "grupo-" + ++grupos;
      reglas += "@page " + actual + " { @top-right { content: " + cadena(texto) + "; } }\n";
    }
    if (actual) bloque.style.page = actual;
  }
  let hoja = document.getElementById("informe-papel");
  if (!hoja) {
    hoja = document.createElement("style");
    hoja.id = "informe-papel";
    hoja.media = "print";
    document.head.append(hoja);
  }
  hoja.textContent = reglas;
  document.getElementById("informe-borrador")?.remove();
  if (!paginas) {
    const borrador = document.createElement("style");
    borrador.id = "informe-borrador";
    borrador.textContent = "body * { visibility: hidden !important; }\n"
      + "nav.indice a, [id] { visibility: visible !important; }";
    document.head.append(borrador);
  }

  // 4. Un vínculo relativo (a los cuadernos, junto al informe) en papel es texto: su destino sería la
  //    ruta de la máquina que imprime (file:///…), que no debe quedar en el PDF.
  for (const a of document.querySelectorAll("a[href]")) {
    if (!/^(#|https?:|mailto:)/i.test(a.getAttribute("href"))) a.removeAttribute("href");
  }

  for (const a of document.querySelectorAll("nav.indice a[href^='#']")) {
    a.dataset.pagina = paginas ? String(paginas[a.hash.slice(1)] ?? "") : "00";
  }

  return [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .filter((h) => h.getClientRects().length > 0)
    .map((h) => ({ nivel: Number(h.tagName[1]), texto: limpio(h), portada: !!h.closest("section.portada") }));
}
