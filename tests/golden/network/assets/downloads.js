/* Cuepress: the transcript forms not built as files, made on a click (transcript-forms.js) */
for (const link of document.querySelectorAll("a[data-from]")) {
  const from = link.href = link.dataset.from;
  link.hidden = false;
  link.onclick = async event => {
    if (link.href.startsWith("blob:")) return;
    event.preventDefault();
    const [forms, response] = await Promise.all([import("./transcript-forms.js"), fetch(from)]);
    link.href = URL.createObjectURL(new Blob([forms.make(await response.text(), from, link.download)]));
    link.click();
  };
}
