import { createHash } from 'node:crypto';

/**
 * The pages' one stylesheet, inlined in each page and allowed by its hash in the CSP: no extra
 * request, no build step, and no inline style from anywhere else can run.
 * Below 720px tables turn into one card per row, so the pages read on a phone; above it the short
 * columns of a requests table (number, category, handler, time) keep to one line, the text wraps.
 * A word too long for its line (a pasted link, letters without a space) breaks anywhere in it,
 * and counts so in a table's column widths, rather than pushing the page sideways.
 */
export const ADMIN_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.6 -apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1f2933;background:#f4f6f8}
a{color:#1d5fa8;text-decoration:none}
a:hover{text-decoration:underline}
header.top{background:#1f4e79;color:#fff}
header.top .in{max-width:1120px;margin:0 auto;padding:0 16px;display:flex;align-items:center;gap:20px;min-height:52px;flex-wrap:wrap}
header.top .brand{font-weight:600;font-size:17px;color:#fff;margin-right:8px}
header.top nav{display:flex;gap:4px;flex-wrap:wrap;flex:1}
header.top nav a{color:#dce8f4;padding:6px 10px;border-radius:4px}
header.top nav a.on,header.top nav a:hover{background:#2d6399;color:#fff;text-decoration:none}
header.top form{margin:0}
header.top .me{display:flex;align-items:center;gap:10px;min-width:0}
header.top .who{color:#dce8f4;font-size:14px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:14em}
header.top button{background:none;border:1px solid #7fa3c7;color:#fff;padding:4px 12px;border-radius:4px;font:inherit;cursor:pointer}
main{max-width:1120px;margin:0 auto;padding:16px;overflow-wrap:anywhere}
h1{font-size:22px;margin:8px 0 16px}
h2{font-size:17px;margin:24px 0 10px}
.card{background:#fff;border:1px solid #dde3e9;border-radius:6px;padding:14px 16px;margin-bottom:16px}
.card>h2:first-child,.card>h1:first-child{margin-top:0}
.badges{display:inline-flex;gap:4px;flex-wrap:wrap;vertical-align:middle}
.muted{color:#66768a}
.small{font-size:13px}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px 12px;align-items:end}
.filters label{display:flex;flex-direction:column;font-size:13px;color:#52606d;gap:3px}
.filters .checks{display:flex;gap:14px;flex-wrap:wrap;align-items:center;grid-column:1/-1}
.filters .checks label{flex-direction:row;align-items:center;gap:4px;font-size:14px;color:#1f2933}
.filters .wide{grid-column:span 2}
.filters .actions{display:flex;gap:10px;align-items:center;flex-wrap:wrap;grid-column:1/-1}
input[type=text],input[type=search],input[type=password],select,textarea{font:inherit;padding:6px 8px;border:1px solid #b8c4d0;border-radius:4px;background:#fff;width:100%;min-width:0}
textarea{resize:vertical}
button.primary,a.button{display:inline-block;background:#1f4e79;color:#fff;border:0;border-radius:4px;padding:7px 16px;font:inherit;cursor:pointer}
a.button.light{background:#e8eef4;color:#1f4e79}
a.button:hover{text-decoration:none;opacity:.9}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #e4e9ee;vertical-align:top}
th{background:#f0f3f6;font-weight:600;font-size:13px;color:#52606d;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.table-wrap{border:1px solid #dde3e9;border-radius:6px;overflow:hidden;margin-bottom:16px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;white-space:nowrap;background:#e8eef4;color:#33485e}
.badge.open{background:#fdecea;color:#a61b1b}
.badge.acknowledged{background:#fff4de;color:#8a5300}
.badge.resolved{background:#e3f4ea;color:#17603a}
.badge.closed{background:#e6e9ed;color:#3e4c59}
.badge.withdrawn{background:#eeeeee;color:#7b8794}
.badge.warn{background:#a61b1b;color:#fff}
.badge.hot{background:#c2410c;color:#fff}
.badge.info{background:#dbeafe;color:#1e40af}
.text{white-space:pre-wrap;word-break:break-word}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:0}
dl.facts dt{color:#66768a}
dl.facts dd{margin:0;word-break:break-word}
ol.timeline{list-style:none;margin:0;padding:0 0 0 14px;border-left:2px solid #c9d6e3}
ol.timeline li{position:relative;padding:0 0 14px 12px}
ol.timeline li::before{content:"";position:absolute;left:-21px;top:7px;width:10px;height:10px;border-radius:50%;background:#1f4e79}
ol.timeline .when{color:#66768a;font-size:13px;margin-right:8px}
.photos{display:flex;gap:10px;flex-wrap:wrap}
.photos a,.photos .photo-note{position:relative;display:block;width:120px;height:120px;border:1px solid #dde3e9;border-radius:4px;overflow:hidden;background:#f0f3f6;text-align:center;line-height:120px;color:#66768a}
.photos img{position:absolute;left:0;top:0;width:100%;height:100%;object-fit:cover}
.photos img::before{content:attr(data-label);position:absolute;inset:0;background:#f0f3f6;color:#66768a;text-align:center;line-height:120px}
.photos .photo-note{display:flex;align-items:center;justify-content:center;padding:8px;box-sizing:border-box;line-height:1.4;font-size:13px}
.pager{display:flex;gap:12px;align-items:center;justify-content:center;margin:12px 0}
.notice ul{margin:6px 0;padding-left:20px}
.notice{background:#fff4de;border:1px solid #f0c36d;border-radius:6px;padding:10px 14px;margin-bottom:16px}
.notice.done{background:#e3f4ea;border-color:#8cc9a4}
.acts{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:16px}
form.act{display:flex;flex-direction:column;gap:6px;margin:0}
form.act h3{font-size:15px;margin:0}
form.act p{margin:0}
form.act label{font-size:13px;color:#52606d}
form.act button{align-self:flex-start;margin-top:4px}
.error{background:#fdecea;border:1px solid #e8a0a0;border-radius:6px;padding:10px 14px;margin-bottom:16px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-bottom:16px}
.grid2>.card{margin-bottom:0}
.chart{margin:0}
.chart svg{width:100%;height:auto;display:block}
.chart svg.phone{display:none}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:13px;margin-top:6px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.legend .c0{background:#1f77b4}.legend .c1{background:#2ca02c}.legend .c2{background:#d62728}.legend .c3{background:#9aa5b1}
.login{max-width:380px;margin:48px auto}
.login label{display:block;margin:12px 0 6px}
.login button{width:100%;margin-top:16px}
.login fieldset{border:0;padding:0;margin:12px 0 0;min-width:0}
.login legend{padding:0;margin-bottom:2px}
.login label.choice{display:inline-flex;align-items:center;gap:6px;margin:4px 18px 4px 0;padding:4px 0}
.login label.choice input{margin:0;width:18px;height:18px}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px}
nav.scopes a,nav.scopes strong{white-space:nowrap}
@media (min-width:721px){
  table.cards td.nw{white-space:nowrap}
  table.cards td.place{min-width:8em}
}
@media (max-width:720px){
  body{font-size:15px}
  main{padding:12px}
  header.top .in{gap:4px 12px;padding:6px 12px}
  header.top .brand{flex:1}
  header.top nav{order:3;flex-basis:100%}
  header.top .who{max-width:7em}
  .grid2{grid-template-columns:1fr}
  .chart svg.desk{display:none}
  .chart svg.phone{display:block}
  .filters{grid-template-columns:1fr 1fr}
  .filters .wide{grid-column:1/-1}
  .table-wrap{border:0;background:none}
  table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
  table.cards thead{display:none}
  table.cards tr{background:#fff;border:1px solid #dde3e9;border-radius:6px;margin-bottom:10px;padding:6px 4px}
  table.cards td{border:0;padding:3px 10px;text-align:left}
  table.cards td[data-label]::before{content:attr(data-label) "：";color:#66768a;font-size:13px}
  dl.facts{grid-template-columns:6em 1fr}
  form.act+form.act{border-top:1px solid #e4e9ee;padding-top:14px}
  table.compact th,table.compact td{padding:6px 5px;font-size:13px;white-space:nowrap}
  table.compact .frac,table.compact .wk{display:none}
}
`.trim();

export const ADMIN_CSS_HASH = `sha256-${createHash('sha256').update(ADMIN_CSS).digest('base64')}`;
