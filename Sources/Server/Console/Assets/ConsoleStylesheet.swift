/// `/console/assets/console.css`: the console's only stylesheet. Written for Tandem (Apache-2.0, as the
/// project); system fonts only, so nothing is fetched from elsewhere. Laptop and tablet widths: the
/// navigation wraps, wide tables scroll sideways inside their section, focus is always visible.
enum ConsoleStylesheet {
    static let source = #"""
        /* Tandem console (Apache-2.0, part of Tandem). System fonts; no external resource. */
        :root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --paper: #ffffff; --tint: #f6f8fa;
          --accent: #0a58ca; --good: #1a7f37; --bad: #cf222e; --wait: #9a6700; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
          background: var(--paper); }
        a { color: var(--accent); }
        :focus-visible { outline: 3px solid #fb8c00; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; top: 0; background: var(--paper); padding: .5rem; }
        .skip:focus { left: .5rem; z-index: 2; }
        .bar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .6rem 1rem;
          background: #24292f; color: #fff; }
        .bar a { color: #fff; text-decoration: none; padding: .25rem .4rem; border-radius: 4px; }
        .bar a[aria-current="page"] { background: #57606a; }
        .brand { font-weight: 600; }
        .bar ul { display: flex; flex-wrap: wrap; gap: .25rem; list-style: none; margin: 0; padding: 0; }
        .who { margin-left: auto; display: flex; gap: .6rem; align-items: center; }
        main { max-width: 1200px; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
        h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
        h3 { font-size: 1rem; }
        section { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-size: .92rem; }
        caption { text-align: left; color: var(--muted); padding: .25rem 0; }
        th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
        th { background: var(--tint); }
        label { display: block; font-weight: 600; margin-bottom: .2rem; }
        input, select, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 4px; }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        .bar button { background: transparent; border-color: #8c959f; }
        form.search { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
        form.search p, form.who, td form { margin: 0; }
        form.sign-in { max-width: 22rem; }
        form.sign-in input { width: 100%; }
        dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
        dl.summary dt { font-weight: 600; color: var(--muted); }
        dl.summary dd { margin: 0; }
        ul.plain { list-style: none; margin: 0; padding: 0; }
        .muted, .none, .empty, .tick, .live { color: var(--muted); }
        .status { display: inline-block; padding: 0 .4rem; border-radius: 999px; font-size: .85rem; border: 1px solid; }
        .status.delivered, .status.active, .status.accepted, .status.completed { color: var(--good); }
        .status.dead, .status.declined { color: var(--bad); }
        .status.pending, .status.leased, .status.referred { color: var(--wait); }
        .overdue, .error { color: var(--bad); }
        .notice { background: #ddf4ff; border: 1px solid #54aeff; padding: .5rem .75rem; border-radius: 4px; }
        ol.timeline { padding-left: 2.5rem; }
        ol.timeline > li { margin-bottom: .6rem; }
        ol.timeline p { margin: 0; }
        .kind { font-family: ui-monospace, monospace; font-size: .85rem; background: var(--tint); padding: 0 .3rem; }
        ul.told { margin: .2rem 0 0; padding-left: 1.2rem; font-size: .9rem; }
        pre.raw { background: var(--tint); padding: .75rem; overflow: auto; max-height: 32rem; white-space: pre-wrap;
          word-break: break-all; font-size: .85rem; }
        figure.chart { margin: 0; }
        figure.chart svg { width: 100%; max-width: 900px; height: auto; background: var(--paper); }
        svg .grid { stroke: var(--line); }
        svg text { font-size: 11px; fill: var(--muted); }
        svg text.legend { fill: var(--ink); font-size: 12px; }
        @media (max-width: 820px) { main { padding: .6rem; } .who { margin-left: 0; } th, td { padding: .3rem; } }
        """#
}
