namespace CultureProbe.Reports;

/// <summary>The report's inline stylesheet (system fonts only, nothing fetched).</summary>
public sealed partial class HtmlReportWriter
{
    // Kept free of '<' and '&' so the file stays well-formed XML without a CDATA section.
    private const string Stylesheet = """

        :root { color-scheme: light; --ink: #1d232a; --muted: #5b6570; --rule: #d9dee3; --accent: #0072B2; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fafbfc; }
        header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 28px; }
        header { padding-top: 20px; }
        h1 { font-size: 1.9rem; margin: 0.4em 0 0.2em; }
        h2 { font-size: 1.35rem; margin: 0 0 0.6em; }
        h3 { font-size: 1.05rem; margin: 1.2em 0 0.4em; }
        .lede { color: var(--muted); margin-top: 0; }
        nav ul { list-style: none; padding: 0; margin: 0.6em 0 1.2em; display: flex; flex-wrap: wrap; gap: 6px 18px; }
        nav a { color: var(--accent); text-decoration: none; }
        nav a:hover { text-decoration: underline; }
        .banner { background: #7a1f00; color: #fff; padding: 12px 18px; border-radius: 6px; font-size: 1.05rem; margin: 0 0 8px; border-left: 10px solid #E69F00; }
        .banner strong { letter-spacing: 0.08em; }
        section { background: #fff; border: 1px solid var(--rule); border-radius: 8px; padding: 18px 22px; margin: 0 0 22px; }
        figure { margin: 0; }
        figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 8px; max-width: 75em; }
        figcaption .method { display: block; font-style: italic; }
        .synthetic-tag { color: #7a1f00; }
        .chart-wrap { overflow-x: auto; }
        .panels { display: flex; flex-wrap: wrap; gap: 8px 20px; }
        svg.chart { display: block; max-width: 100%; height: auto; }
        .map svg.chart { width: 100%; max-width: 1000px; }
        svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 12px; fill: var(--ink); }
        svg text.tick { font-size: 11px; fill: #444; }
        svg text.note { font-size: 10.5px; fill: var(--muted); }
        svg text.value { font-size: 11px; font-weight: 600; }
        svg text.axis-label { font-size: 12.5px; }
        svg text.panel-title { font-size: 14px; font-weight: 600; }
        svg .country:hover, svg .bar:hover, svg .box:hover { opacity: 0.8; }
        svg .country:hover { stroke: #000; stroke-width: 0.8; }
        .empty { color: var(--muted); font-style: italic; }
        .note { color: var(--muted); font-size: 0.88rem; }
        .columns { display: flex; flex-wrap: wrap; gap: 24px; }
        .table-wrap { overflow-x: auto; }
        table { border-collapse: collapse; margin: 6px 0 14px; font-size: 0.86rem; }
        caption { text-align: left; font-weight: 600; padding: 4px 0; color: var(--ink); }
        th, td { padding: 4px 9px; border-bottom: 1px solid #eceff2; text-align: left; vertical-align: top; }
        thead th { border-bottom: 2px solid var(--rule); background: #f4f6f8; position: sticky; top: 0; }
        table.data { width: 100%; }
        table.data tbody th { white-space: nowrap; }
        table.numbers td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        table.numbers .baseline { color: var(--muted); background: #fafafa; }
        table.kv th { font-weight: 500; color: var(--muted); }
        td.wrap { word-break: break-all; max-width: 28em; }
        td.question { min-width: 22em; }
        td.match { background: #d6ecf7; font-weight: 600; }
        .ci { color: var(--muted); font-size: 0.85em; }
        .swatch { display: inline-block; width: 0.8em; height: 0.8em; border: 1px solid #aaa; margin-right: 6px; vertical-align: -1px; }
        code { font-size: 0.9em; }
        footer { padding-bottom: 30px; }
        @media print { section { break-inside: avoid; } nav { display: none; } }

        """;
}
