"""Charts that keep their Vega view under `workbook app`: a redraw whose chart has the same
structure as the one drawn (same marks, encodings, scales; other data and titles) sends only the
changed data sets and the title texts, which the page applies to the view it holds
(`view.data(name, rows)`, `view.signal(name, value)`) instead of embedding a new chart.

`LiveSpec` splits a Vega-Lite spec (as `alt.Chart.to_dict` gives it) into its skeleton (data set
names replaced by their position, the top-level title and subtitle by signals), its data sets in
order and its title texts; `LiveDraw` is what one chart slot remembers of the chart the page
drew. `CHART_JS` is the widget's code (bundled with Vega offline by `chart_bundle`).

Every update says which embedded spec it is for (`usermeta.wb_gen`): the page applies the last
update of the spec it shows, after the embed if the update came first, and every update carries
all the data sets changed since that spec, so applying only the last one is enough.

A chart given as `workbook.charts.parts.ChartParts` whose key is the key of the chart embedded
goes as an update computed from its frames alone (`LiveDraw.update_from`): no Altair chart is
built. The key is trusted only once the embedded spec showed the same data sets and titles as
the parts it was built from.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from workbook.charts.parts import ChartParts

TITLE_SIGNAL = "wb_title"
SUBTITLE_SIGNAL = "wb_subtitle"
_PLACEHOLDER = "__wb_data_{}"


@dataclass
class LiveSpec:
    skeleton: dict[str, Any]  # placeholders for data set names; titles as signals
    names: list[str]  # the data sets' names in the spec, in order
    data: list[Any]  # their rows
    signals: dict[str, Any]  # title texts

    @classmethod
    def of(cls, spec: dict[str, Any]) -> LiveSpec:
        """Split a spec (not changed; the parts share its rows)."""
        skeleton = {k: v for k, v in spec.items() if k != "datasets"}
        datasets = spec.get("datasets") or {}
        names = list(datasets)
        index = {name: i for i, name in enumerate(names)}
        skeleton = _rename(skeleton, index)
        signals: dict[str, Any] = {}
        title = skeleton.get("title")
        if isinstance(title, str | list):
            title = {"text": title}
        if isinstance(title, dict) and isinstance(title.get("text"), str | list):
            title = dict(title)
            signals[TITLE_SIGNAL] = title["text"]
            title["text"] = {"expr": TITLE_SIGNAL}
            if isinstance(title.get("subtitle"), str | list):
                signals[SUBTITLE_SIGNAL] = title["subtitle"]
                title["subtitle"] = {"expr": SUBTITLE_SIGNAL}
            skeleton["title"] = title
        return cls(skeleton, names, [datasets[n] for n in names], signals)

    def embeddable(self, gen: int) -> dict[str, Any]:
        """The spec the page embeds: the skeleton with its data sets and title signals back,
        marked with its generation."""
        spec = _rename(self.skeleton, {i: n for i, n in enumerate(self.names)}, back=True)
        if self.signals:
            params = [p for p in spec.get("params", []) if p.get("name") not in self.signals]
            spec["params"] = params + [{"name": k, "value": v} for k, v in self.signals.items()]
        spec["datasets"] = dict(zip(self.names, self.data, strict=True))
        spec["usermeta"] = {**spec.get("usermeta", {}), "wb_gen": gen}
        return spec


@dataclass
class LiveDraw:
    """What the page shows: the spec it embedded (generation `gen`) and the data sets changed
    since (by position)."""

    embedded: LiveSpec
    gen: int
    touched: set[int] = field(default_factory=set)
    key: tuple[Any, ...] | None = None  # the parts' key, once their rows matched the spec's
    where: tuple[int, ...] = ()  # each layer's data set (by position)

    @classmethod
    def of(cls, spec: LiveSpec, gen: int, parts: ChartParts | None = None) -> LiveDraw:
        """The draw of an embedded spec; with the parts it was built from, their key is kept
        when their rows and titles are the spec's (later parts of that key need no spec)."""
        live = cls(spec, gen)
        if parts is not None and parts.key is not None:
            where, data = parts.rows()
            if data == live.embedded.data and signals_of(parts) == live.embedded.signals:
                live.key, live.where = parts.key, where
        return live

    def update_for(self, new: LiveSpec) -> dict[str, Any] | None:
        """The update that turns the embedded chart into `new`, or None when `new` has
        another structure (it must be embedded)."""
        old = self.embedded
        if new.skeleton != old.skeleton or len(new.data) != len(old.data):
            return None
        return self._update(new.data, new.signals)

    def update_from(self, parts: ChartParts) -> dict[str, Any] | None:
        """The update that turns the embedded chart into the chart of `parts`, from their
        frames alone; None unless the parts have the embedded chart's key and their layers
        share data sets as the embedded ones did."""
        if self.key is None or parts.key != self.key:
            return None
        where, data = parts.rows()
        signals = signals_of(parts)
        if where != self.where or len(data) != len(self.embedded.data):
            return None
        if signals.keys() != self.embedded.signals.keys():
            return None
        return self._update(data, signals)

    def _update(self, data: list[Any], signals: dict[str, Any]) -> dict[str, Any]:
        old = self.embedded
        for i, rows in enumerate(data):
            if i not in self.touched and rows != old.data[i]:
                self.touched.add(i)
        changed = {old.names[i]: data[i] for i in sorted(self.touched)}
        return {"gen": self.gen, "data": changed, "signals": dict(signals)}


def signals_of(parts: ChartParts) -> dict[str, Any]:
    """The title signals of the chart of `parts` (as `LiveSpec.of` finds them in its spec)."""
    signals: dict[str, Any] = {}
    if isinstance(parts.title, str | list):
        signals[TITLE_SIGNAL] = parts.title
        if isinstance(parts.subtitle, str | list):
            signals[SUBTITLE_SIGNAL] = parts.subtitle
    return signals


def _rename(node: Any, index: dict[Any, Any], back: bool = False) -> Any:
    """A copy of `node` with data set references `{"name": ...}` renamed through `index`
    (names to positions as placeholders, or back)."""
    if isinstance(node, dict):
        ref = node.get("name")
        if len(node) <= 2 and "name" in node and set(node) <= {"name", "format"}:
            key = _position(ref) if back else ref
            if key in index:
                out = dict(node)
                out["name"] = index[key] if back else _PLACEHOLDER.format(index[key])
                return out
        return {k: _rename(v, index, back) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename(v, index, back) for v in node]
    return copy.copy(node)


def _position(name: Any) -> int | None:
    prefix, suffix = _PLACEHOLDER.split("{}")
    if isinstance(name, str) and name.startswith(prefix) and name.endswith(suffix):
        digits = name[len(prefix) : len(name) - len(suffix)]
        return int(digits) if digits.isdigit() else None
    return None


# The chart widget's code, bundled with vega-embed by vl-convert (which provides `vegaEmbed`).
# Embeds run one after another; an update applies to the view of the spec it names.
CHART_JS = """
async function render({ model, el }) {
    let api = null;
    let gen = null;
    let chain = Promise.resolve();

    function showError(error) {
        const box = document.createElement("div");
        box.style.color = "#922b21";
        box.textContent = String((error && error.message) || error);
        el.replaceChildren(box);
    }

    async function apply() {
        const update = model.get("_wb_update");
        if (api == null || update == null || update.gen !== gen) return;
        const view = api.view;
        for (const [name, rows] of Object.entries(update.data || {})) {
            view.data(name, structuredClone(rows));
        }
        for (const [name, value] of Object.entries(update.signals || {})) {
            view.signal(name, value);
        }
        await view.runAsync();
    }

    async function embed() {
        const spec = model.get("spec");
        if (api != null) {
            api.finalize();
            api = null;
        }
        if (spec == null) {
            el.replaceChildren();
            return;
        }
        try {
            const options = structuredClone(model.get("embed_options") ?? {});
            api = await vegaEmbed(el, structuredClone(spec), options);
        } catch (error) {
            showError(error);
            return;
        }
        gen = (spec.usermeta || {}).wb_gen ?? null;
        await apply();
    }

    function queue(step) {
        chain = chain.then(step).catch((error) => {
            console.error(error);
            showError(error);
        });
        return chain;
    }

    model.on("change:spec", () => queue(embed));
    model.on("change:embed_options", () => queue(embed));
    model.on("change:_wb_update", () => queue(apply));
    await queue(embed);
    return () => {
        if (api != null) api.finalize();
    };
}

export default { render };
"""


def chart_bundle() -> str:
    """The widget's code with vega-embed, Vega-Lite and Vega, offline (~1 s, once)."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.javascript_bundle(CHART_JS, vl_version=vl_version_for_vl_convert())
