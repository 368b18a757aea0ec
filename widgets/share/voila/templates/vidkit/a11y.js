// Keyboard and screen-reader fixes for ipywidgets 8 controls (included by index.html.j2).
// ipywidgets renders a fold header (Accordion) as a plain <div>: Tab never reaches it and
// Enter does nothing. Its sliders' handles carry role=slider but no name, and an Image has no
// alt text; an upload button's name carries a file count. Every widget the kernel adds later is fixed as it appears.
(() => {
  "use strict";
  const HEADER = ".jupyter-widget-Collapse-header";

  function fixHeader(header) {
    const fold = header.closest(".jupyter-widget-Collapse");
    const open = !!fold && fold.classList.contains("jupyter-widget-Collapse-open");
    if (header.dataset.vkKeys !== "1") {
      header.dataset.vkKeys = "1";
      header.tabIndex = 0;
      header.setAttribute("role", "button");
      header.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          header.click();
        }
      });
    }
    if (header.getAttribute("aria-expanded") !== String(open)) {
      header.setAttribute("aria-expanded", String(open));
    }
  }

  let ids = 0;
  function nameSlider(handle) {
    if (handle.hasAttribute("aria-label") || handle.hasAttribute("aria-labelledby")) return;
    const widget = handle.closest(".widget-slider");
    const label = widget && widget.querySelector(".widget-label");
    if (label && label.textContent.trim() && label.textContent.trim() !== "\u200b") {
      if (!label.id) label.id = `vk-label-${++ids}`;
      handle.setAttribute("aria-labelledby", label.id);
    } else if (widget && widget.title) {
      handle.setAttribute("aria-label", widget.title);
    }
  }

  // An Image's tooltip (its title) is what it shows: say it as alt text too.
  function altImage(img) {
    const text = img.getAttribute("title") || "";
    if (text && img.getAttribute("alt") !== text) img.setAttribute("alt", text);
  }

  // An upload button's text carries ipywidgets' file count ("Upload presenter photo (0)"),
  // hidden by the studio's CSS, which draws the title instead: a screen reader hears the title.
  function nameUpload(button) {
    const text = button.getAttribute("title") || "";
    if (text && button.getAttribute("aria-label") !== text) button.setAttribute("aria-label", text);
  }

  // Icons are drawn from a font's private-use characters: nothing a screen reader can say.
  function hideIcon(icon) {
    if (icon.getAttribute("aria-hidden") !== "true") icon.setAttribute("aria-hidden", "true");
  }

  function fix(root) {
    if (!(root instanceof Element)) return;
    const each = (selector, fn) => {
      if (root.matches(selector)) fn(root);
      root.querySelectorAll(selector).forEach(fn);
    };
    each(HEADER, fixHeader);
    each(".widget-slider .noUi-handle", nameSlider);
    each("img.widget-image", altImage);
    each("button.vk-upload", nameUpload);
    each("button > i.fa", hideIcon);
  }

  function start() {
    fix(document.body);
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === "childList") {
          record.addedNodes.forEach(fix);
        } else if (record.target instanceof Element) {
          const target = record.target;
          if (target.matches(".jupyter-widget-Collapse")) {
            target.querySelectorAll(`:scope > ${HEADER}`).forEach(fixHeader);
          } else if (target.matches("img.widget-image")) {
            altImage(target);
          } else if (target.matches("button.vk-upload")) {
            nameUpload(target);
          }
        }
      }
    }).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["class", "title"],
    });
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
