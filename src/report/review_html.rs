//! The access review as one self-contained HTML page an auditor hands to a manager
//! (`review --html FILE`): a first screen that summarises (figures and charts per
//! reviewed scope, the top `lint` findings), then the access grouped by principal
//! (each access once however many reviewed scopes it reaches; expandable, with a
//! path diagram and the identifiers of each access), with sortable and filterable
//! columns, and a print stylesheet for "Print to PDF".
//!
//! It decides nothing: figures, grouping and findings come from
//! `audit::review_summary` and `audit::lint`. Every text and attribute goes through
//! [`html_escape`]. The page references nothing outside itself, and its
//! Content-Security-Policy allows only its own inline style and script, by hash.
//! Loaded as `page.html#selftest`, the script sorts and filters its own table,
//! checks the result and writes `PASS` or `FAIL: ...` into `#selftest` (the
//! browser tests read it).

use std::fmt::Write as _;
use std::io::{self, Write};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::audit::lint::{Finding, Severity};
use crate::audit::review::{Carry, Pim, RecommendationKind, ReviewRow};
use crate::audit::review_summary::{
    self as summary, needs_decision, removal_recommended, Access, PrincipalAccess, Reach,
    ScopeFigures,
};

use super::review::{
    deny_name, principal_name, principal_tags, recommendation_cell, role_label, Sheet,
};
use super::text;
use super::{condition, count, ScopeNames};

/// What `lint` found for the reviewed scopes, and the scope it was asked at.
pub(crate) struct Findings<'a> {
    pub(crate) scope: Option<&'a str>,
    pub(crate) list: &'a [Finding],
}

/// The findings shown on the first screen; the rest are counted.
const TOP_FINDINGS: usize = 6;
/// The scopes drawn in the progress chart (the largest); the rest are counted.
const CHART_SCOPES: usize = 10;
/// Path diagrams drawn; past it the accesses say so (the page stays usable).
const MAX_PICTURES: usize = 5000;

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => o.push(' '),
            // Bidi overrides and isolates would reorder what the page shows.
            c if text::is_unsafe(c) => text::push_escaped(&mut o, c),
            c => o.push(c),
        }
    }
    o
}

/// `'sha256-...'`: a CSP source that allows exactly this inline text.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

const CSS: &str = r#"
:root{--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--line2:#cbd5e1;--bg:#f8fafc;--card:#fff;--head:#f1f5f9;
--accent:#4338ca;--red:#b91c1c;--redbg:#fee2e2;--amber:#b45309;--amberbg:#fef3c7;--green:#15803d;--greenbg:#dcfce7;--indigo:#3730a3;--indigobg:#e0e7ff}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:20px 24px 40px}
h1{font-size:22px;margin:0;letter-spacing:-.01em}
h2{font-size:15px;margin:0 0 8px}
.top{display:flex;justify-content:space-between;align-items:flex-end;gap:24px;border-bottom:3px solid var(--accent);padding-bottom:10px;margin-bottom:14px}
.top .sub{margin:2px 0 0;color:var(--muted);font-size:14px}
.facts{display:flex;gap:18px;margin:0}
.facts div{text-align:right}
.facts dt{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.facts dd{margin:0;font-weight:600}
.kpis{display:grid;grid-template-columns:repeat(8,minmax(0,1fr));gap:10px;margin-bottom:14px}
.kpi{background:var(--card);border:1px solid var(--line);border-top:4px solid var(--line2);border-radius:6px;padding:8px 10px}
.kpi b{display:block;font-size:26px;line-height:1.1;font-variant-numeric:tabular-nums}
.kpi span{color:var(--muted);font-size:12px}
.kpi.bad{border-top-color:var(--red)}.kpi.bad b{color:var(--red)}
.kpi.warn{border-top-color:#f59e0b}.kpi.warn b{color:var(--amber)}
.kpi.info{border-top-color:var(--accent)}
.kpi.ok{border-top-color:#22c55e}
.panel{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin-bottom:14px}
.two{display:grid;grid-template-columns:minmax(0,1.6fr) minmax(0,1fr);gap:14px}
.two>.panel{margin-bottom:0}
.charts{display:grid;grid-template-columns:1fr;gap:10px}
.charts svg{width:100%;height:auto;display:block}
.note{color:var(--muted);font-size:12px;margin:6px 0 0}
.banner{background:var(--amberbg);border:1px solid #fcd34d;border-radius:6px;padding:8px 12px;margin-bottom:14px}
.banner ul{margin:4px 0 0;padding-left:18px}
table{border-collapse:collapse;width:100%}
th,td{padding:4px 6px;vertical-align:top;text-align:left;border-bottom:1px solid var(--line)}
td{overflow-wrap:break-word}
th{font-weight:600;background:var(--head);color:#334155;font-size:12px}
table.figures{font-size:12px}
table.figures th,table.figures td{padding:4px 5px}
table.figures td.num,table.figures th.num{text-align:right;font-variant-numeric:tabular-nums}
table.figures tfoot td{font-weight:700;border-top:2px solid var(--line2)}
table.figures td:first-child{white-space:nowrap}
.banner summary{cursor:pointer}
table.figures td.hot{color:var(--red);font-weight:600}
.scroll{max-height:260px;overflow:auto}
ol.findings{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:1fr 1fr;gap:6px 18px}
ol.findings li{padding:6px 8px;border-left:4px solid var(--line2);background:#fcfcfd}
ol.findings li.high{border-left-color:var(--red)}ol.findings li.medium{border-left-color:#f59e0b}ol.findings li.low{border-left-color:#60a5fa}
ol.findings .hint{display:block;color:var(--muted);font-size:12px}
.sev{display:inline-block;font-size:10px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;border-radius:3px;padding:0 4px;margin-right:4px;background:var(--head)}
.sev.high{background:var(--redbg);color:var(--red)}.sev.medium{background:var(--amberbg);color:var(--amber)}.sev.low{background:#dbeafe;color:#1d4ed8}
.badge{display:inline-block;border-radius:3px;padding:0 4px;font-size:11px;line-height:16px;margin:0 0 0 3px;border:1px solid var(--line2);background:#fff;white-space:nowrap}
.badge.priv{background:var(--redbg);border-color:#fca5a5;color:var(--red)}
.badge.guest{background:var(--amberbg);border-color:#fcd34d;color:var(--amber)}
.badge.bad{background:#fecaca;border-color:#f87171;color:#991b1b}
.badge.elig{background:var(--indigobg);border-color:#a5b4fc;color:var(--indigo)}
.badge.ok{background:var(--greenbg);border-color:#86efac;color:var(--green)}
.badge.todo{background:var(--amberbg);border-color:#fcd34d;color:var(--amber)}
.muted{color:var(--muted)}.small{font-size:11px}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11px;overflow-wrap:anywhere}
.toolbar{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;margin:0 0 8px}
.toolbar input[type=search]{min-width:280px;padding:4px 6px;border:1px solid var(--line2);border-radius:4px}
.toolbar select{padding:3px;border:1px solid var(--line2);border-radius:4px}
.toolbar button{border:1px solid var(--line2);background:#fff;border-radius:4px;padding:3px 8px;cursor:pointer}
.toolbar label{white-space:nowrap}
#count{color:var(--muted);margin-left:auto}
#access{table-layout:fixed;background:var(--card)}
#access thead th{position:sticky;top:0;z-index:1;border-bottom:1px solid var(--line2)}
#access thead th.sort{cursor:pointer;user-select:none}
#access thead th[aria-sort=ascending]::after{content:" \25B2";font-size:9px}
#access thead th[aria-sort=descending]::after{content:" \25BC";font-size:9px}
#access thead tr.colfilter th{top:25px;background:#f8fafc;padding:2px 4px}
#access thead tr.colfilter input{width:100%;font-size:11px;padding:1px 3px;border:1px solid var(--line);border-radius:3px}
#access col.c-principal{width:13%}#access col.c-role{width:13%}#access col.c-held{width:15%}#access col.c-reach{width:9%}
#access col.c-path{width:13%}#access col.c-pim{width:8%}#access col.c-deny{width:9%}#access col.c-cond{width:12%}#access col.c-rec{width:13%}#access col.c-dec{width:7%}
#access tbody{border-top:2px solid var(--line2)}
#access tr.ph td{background:#f8fafc;padding:5px 6px}
#access tr.ph summary{cursor:pointer}
#access tr.ph .pn{font-weight:700;font-size:14px}
#access tr.ac td:first-child{color:var(--muted);font-size:11px}
#access tr.ac.remove td.rec{background:#fff1f2}
#access tr.ac td.rec div+div{margin-top:2px}
.kind-remove{color:var(--red);font-weight:600}.kind-review{color:var(--amber);font-weight:600}.kind-useGroup,.kind-note{color:var(--muted)}
.grants{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:8px;margin:8px 0 4px}
figure.grant{margin:0;padding:8px;border:1px solid var(--line);border-radius:6px;background:#fff;overflow-x:auto}
figure.grant figcaption{font-weight:600;margin-bottom:4px}
dl.ids{display:grid;grid-template-columns:max-content 1fr;gap:1px 10px;margin:6px 0 0;font-size:11px}
dl.ids dt{color:var(--muted)}dl.ids dd{margin:0}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
footer{margin-top:18px;color:var(--muted);font-size:12px}
#selftest{display:block;margin:8px 0;padding:6px;border:2px solid var(--accent);font-weight:700}
[hidden]{display:none!important}
@page{size:A4 landscape;margin:10mm 9mm}
@media print{
body{background:#fff;padding:0;zoom:.7}
.toolbar,#access thead tr.colfilter,.noprint,#selftest{display:none!important}
.scroll{max-height:none;overflow:visible}
.panel{break-inside:avoid}
#principals{border:none;padding:0;background:none}
#findings{break-inside:auto}
ol.findings li{break-inside:avoid}
#overview{break-after:page}
#access thead{display:table-header-group}
#access thead th{position:static}
#access tr{break-inside:avoid}
#access tr.ph{break-after:avoid}
#access tbody{break-inside:auto}
.grants{grid-template-columns:1fr 1fr}
figure.grant{break-inside:avoid}
}
"#;

const JS: &str = r#"
(function(){
'use strict';
var errors=[];
window.addEventListener('error',function(e){errors.push('script error: '+(e.message||e.type));});
document.addEventListener('securitypolicyviolation',function(e){errors.push('blocked by the page policy: '+e.violatedDirective);});
function $(id){return document.getElementById(id);}
function arr(x){return Array.prototype.slice.call(x||[]);}
function norm(s){return (s||'').replace(/\s+/g,' ').trim().toLowerCase();}
function cmp(a,b){return a.localeCompare(b,undefined,{numeric:true,sensitivity:'base'});}
function init(){
  var table=$('access');
  if(!table){return;}
  var heads=arr(table.tHead.rows[0].cells);
  var filters=arr(table.tHead.querySelectorAll('tr.colfilter input'));
  var q=$('q'),scope=$('scope'),count=$('count');
  var checks=arr(document.querySelectorAll('.toolbar input[type=checkbox]'));
  var total=table.querySelectorAll('tr.ac').length;
  function bodies(){return arr(table.tBodies);}
  function cell(r,i){var c=r.cells[i];return c?norm(c.getAttribute('data-sort')||c.textContent):'';}
  function firstKey(b,i){if(i===0){return b.getAttribute('data-name');}var r=b.querySelector('tr.ac');return r?cell(r,i):'';}
  var sorted={col:-1,dir:1};
  function sortBy(i,dir){
    var bs=bodies();
    bs.forEach(function(b){var rows=arr(b.querySelectorAll('tr.ac'));rows.sort(function(x,y){return dir*cmp(cell(x,i),cell(y,i));});rows.forEach(function(r){b.appendChild(r);});});
    bs.sort(function(a,b){return dir*cmp(firstKey(a,i),firstKey(b,i))||cmp(a.getAttribute('data-name'),b.getAttribute('data-name'));});
    bs.forEach(function(b){table.appendChild(b);});
    heads.forEach(function(h,j){h.setAttribute('aria-sort',j===i?(dir>0?'ascending':'descending'):'none');});
    sorted={col:i,dir:dir};
  }
  heads.forEach(function(h,i){
    function go(){sortBy(i,sorted.col===i?-sorted.dir:1);}
    h.addEventListener('click',go);
    h.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});
  });
  function apply(){
    var text=norm(q.value),sc=scope?scope.value:'',n=0,np=0;
    var want=checks.filter(function(c){return c.checked;}).map(function(c){return c.getAttribute('data-attr');});
    var cf=filters.map(function(f){return norm(f.value);});
    bodies().forEach(function(b){
      var who=b.getAttribute('data-text'),any=false;
      arr(b.querySelectorAll('tr.ac')).forEach(function(r){
        var reach=' '+r.getAttribute('data-reach')+' ';
        var ok=(!text||(who+' '+norm(r.textContent)).indexOf(text)!==-1)
          &&(!sc||reach===' * '||reach.indexOf(' '+sc+' ')!==-1)
          &&want.every(function(a){return r.getAttribute(a)==='true';})
          &&cf.every(function(f,i){return !f||(i===0?who:norm(r.cells[i].textContent)).indexOf(f)!==-1;});
        r.hidden=!ok;if(ok){any=true;n++;}
      });
      b.hidden=!any;if(any){np++;}
    });
    count.textContent=np+' of '+bodies().length+' principals \u00b7 '+n+' of '+total+' accesses shown';
  }
  [q,scope].concat(checks,filters).forEach(function(el){if(el){el.addEventListener('input',apply);el.addEventListener('change',apply);}});
  function openAll(open){arr(table.querySelectorAll('details')).forEach(function(d){d.open=open;});}
  $('expand').addEventListener('click',function(){openAll(true);});
  $('collapse').addEventListener('click',function(){openAll(false);});
  $('reset').addEventListener('click',function(){q.value='';if(scope){scope.value='';}checks.forEach(function(c){c.checked=false;});filters.forEach(function(f){f.value='';});apply();});
  apply();
  if(location.hash==='#selftest'){selftest();}

  function selftest(){
    var fails=[],n=0;
    function check(ok,what){n++;if(!ok){fails.push(what);}}
    function fire(el){el.dispatchEvent(new Event('input',{bubbles:true}));}
    function shown(){return bodies().filter(function(b){return !b.hidden;});}
    function rowsShown(){return arr(table.querySelectorAll('tr.ac')).filter(function(r){return !r.hidden&&!r.parentNode.hidden;});}
    function ordered(xs,dir){for(var i=1;i<xs.length;i++){if(dir*cmp(xs[i-1],xs[i])>0){return false;}}return true;}
    check(total>0,'the table has rows');
    check(bodies().length>0,'the table has principals');
    check(rowsShown().length===total,'every row is shown at first');
    var byName=heads[0];
    byName.click();
    check(ordered(shown().map(function(b){return b.getAttribute('data-name');}),1),'sorted by principal, ascending');
    check(heads[0].getAttribute('aria-sort')==='ascending','aria-sort says ascending');
    byName.click();
    check(ordered(shown().map(function(b){return b.getAttribute('data-name');}),-1),'sorted by principal, descending');
    heads[1].click();
    check(bodies().every(function(b){return ordered(arr(b.querySelectorAll('tr.ac')).map(function(r){return cell(r,1);}),1);}),'roles sorted within each principal');
    check(ordered(bodies().map(function(b){return firstKey(b,1);}),1),'principals sorted by their first role');
    var last=bodies()[bodies().length-1],name=last.getAttribute('data-name');
    q.value=name;fire(q);
    check(shown().indexOf(last)!==-1,'the filter finds '+name);
    check(shown().every(function(b){return (b.getAttribute('data-text')+' '+norm(b.textContent)).indexOf(name)!==-1;}),'the filter shows only matches');
    q.value='zz no such principal zz';fire(q);
    check(shown().length===0&&count.textContent.indexOf('0 of ')===0,'a filter matching nothing shows nothing');
    q.value='';fire(q);
    check(rowsShown().length===total,'clearing the filter shows every row');
    var priv=checks.filter(function(c){return c.getAttribute('data-attr')==='data-privileged';})[0];
    priv.click();
    var want=table.querySelectorAll('tr.ac[data-privileged=true]').length;
    check(rowsShown().length===want&&rowsShown().every(function(r){return r.getAttribute('data-privileged')==='true';}),'privileged only');
    priv.click();
    check(rowsShown().length===total,'unticking shows every row');
    var first=table.querySelector('tr.ac'),role=cell(first,1).split(' ')[0];
    filters[1].value=role;fire(filters[1]);
    check(rowsShown().length>0&&rowsShown().every(function(r){return cell(r,1).indexOf(role)!==-1||norm(r.cells[1].textContent).indexOf(role)!==-1;}),'the role column filter');
    $('reset').click();
    check(rowsShown().length===total,'reset shows every row');
    if(scope&&scope.options.length>1){
      scope.value=scope.options[1].value;scope.dispatchEvent(new Event('change'));
      check(rowsShown().every(function(r){var x=' '+r.getAttribute('data-reach')+' ';return x===' * '||x.indexOf(' '+scope.value+' ')!==-1;}),'the scope filter');
      $('reset').click();
    }
    $('expand').click();
    check(arr(table.querySelectorAll('details')).every(function(d){return d.open;}),'expand all');
    $('collapse').click();
    check(arr(table.querySelectorAll('details')).every(function(d){return !d.open;}),'collapse all');
    check(document.querySelectorAll('#overview svg').length>=2,'the charts are drawn');
    check(errors.length===0,errors.join('; '));
    var out=$('selftest');
    out.textContent=fails.length?'FAIL: '+fails.join(' | '):'PASS '+n+' checks';
    out.hidden=false;
    document.body.setAttribute('data-selftest',fails.length?'fail':'pass');
  }
}
if(document.readyState==='loading'){document.addEventListener('DOMContentLoaded',init);}else{init();}
})();
"#;

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// One box of a path picture.
struct PathBox {
    kind: String,
    name: String,
    fill: &'static str,
    stroke: &'static str,
}

/// An access path as an inline SVG: principal → groups → role → scope.
fn path_svg(r: &ReviewRow, names: &ScopeNames) -> String {
    let p = &r.principal;
    let (pfill, pstroke) = if p.is_orphaned() || p.is_disabled() {
        ("#fecaca", "#dc2626")
    } else if p.is_guest() {
        ("#fef3c7", "#d97706")
    } else if p.is_group() {
        ("#e0e7ff", "#4f46e5")
    } else {
        ("#dbeafe", "#2563eb")
    };
    let mut boxes = vec![PathBox {
        kind: principal_tags(r),
        name: principal_name(r),
        fill: pfill,
        stroke: pstroke,
    }];
    for g in r.via.iter() {
        boxes.push(PathBox {
            kind: "group".into(),
            name: g.name.clone(),
            fill: "#e0e7ff",
            stroke: "#4f46e5",
        });
    }
    let (rfill, rstroke) = if r.privileged {
        ("#fee2e2", "#b91c1c")
    } else {
        ("#f1f5f9", "#475569")
    };
    boxes.push(PathBox {
        kind: format!(
            "role, {}{}",
            r.pim.as_str(),
            if r.privileged { ", privileged" } else { "" }
        ),
        name: role_label(r),
        fill: rfill,
        stroke: rstroke,
    });
    boxes.push(PathBox {
        kind: if r.inherited {
            "scope (inherited)".into()
        } else if r.below {
            "scope (below)".into()
        } else {
            "scope".into()
        },
        name: names.label(&r.assignment_scope),
        fill: "#d1fae5",
        stroke: "#059669",
    });
    const H: usize = 44;
    const GAP: usize = 30;
    const CHAR: usize = 7;
    let widths: Vec<usize> = boxes
        .iter()
        .map(|b| {
            let n = truncate(&b.name, 36)
                .chars()
                .count()
                .max(truncate(&b.kind, 30).chars().count() * 6 / 7);
            (n * CHAR + 18).clamp(90, 280)
        })
        .collect();
    let total: usize = widths.iter().sum::<usize>() + GAP * (boxes.len() - 1) + 4;
    let mut s = String::new();
    let label: Vec<String> = boxes.iter().map(|b| b.name.clone()).collect();
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {total} {h}\" width=\"{total}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        html_escape(&label.join(" → ")),
        h = H + 4
    );
    let mut x = 2;
    for (i, (b, w)) in boxes.iter().zip(&widths).enumerate() {
        let _ = write!(
            s,
            "<g><title>{}: {}</title><rect x=\"{x}\" y=\"2\" width=\"{w}\" height=\"{H}\" rx=\"6\" fill=\"{}\" stroke=\"{}\"/>\
             <text x=\"{tx}\" y=\"18\" font-size=\"10\" fill=\"#64748b\">{}</text>\
             <text x=\"{tx}\" y=\"35\" font-size=\"12\" fill=\"#0f172a\">{}</text></g>",
            html_escape(&b.kind),
            html_escape(&b.name),
            b.fill,
            b.stroke,
            html_escape(&truncate(&b.kind, 30)),
            html_escape(&truncate(&b.name, 36)),
            tx = x + 8,
        );
        x += w;
        if i + 1 < boxes.len() {
            let y = 2 + H / 2;
            let _ = write!(
                s,
                "<line x1=\"{x1}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#334155\" stroke-width=\"1.5\"/>\
                 <polygon points=\"{x2},{y0} {x3},{y} {x2},{y1}\" fill=\"#334155\"/>",
                x1 = x + 3,
                x2 = x + GAP - 10,
                x3 = x + GAP - 3,
                y0 = y - 5,
                y1 = y + 5,
            );
            x += GAP;
        }
    }
    s.push_str("</svg>");
    s
}

/// The words of the reviewed scopes: `ml-prod (workspace)`, or `3 scopes: a, b, c`.
fn scopes_line(targets: &[String], names: &ScopeNames) -> String {
    match targets {
        [one] => names.label(one),
        many => {
            let shown: Vec<String> = many.iter().take(4).map(|t| names.label(t)).collect();
            let more = if many.len() > shown.len() {
                format!(" and {} more", many.len() - shown.len())
            } else {
                String::new()
            };
            format!("{} reviewed scopes: {}{more}", many.len(), shown.join(", "))
        }
    }
}

/// The first screen: title, key figures, per-scope table and charts, findings.
fn overview(h: &mut String, s: &Sheet, per: &[ScopeFigures], total: &ScopeFigures, f: &Findings) {
    let e = html_escape;
    let targets = &s.review.targets;
    let _ = writeln!(
        h,
        "<header class=\"top\"><div><h1>Access review</h1><p class=\"sub\">{}</p></div>\
         <dl class=\"facts\"><div><dt>Snapshot</dt><dd>{}{}</dd></div><div><dt>Taken at</dt><dd>{}</dd></div>\
         <div><dt>Report</dt><dd>whocan {}</dd></div></dl></header>",
        e(&scopes_line(targets, s.names)),
        s.snapshot.id,
        s.snapshot
            .label
            .as_deref()
            .map(|l| format!(" · {}", e(l)))
            .unwrap_or_default(),
        e(&s.snapshot.taken_at),
        e(env!("CARGO_PKG_VERSION")),
    );
    h.push_str("<section id=\"overview\">\n<div class=\"kpis\">");
    // The card's label agrees with its number ("1 guest", "2 guests").
    let kpi = |h: &mut String, n: usize, (one, many): (&str, &str), class: &str| {
        let what = if n == 1 { one } else { many };
        let _ = write!(
            h,
            "<div class=\"kpi {}\"><b>{n}</b><span>{}</span></div>",
            if n == 0 && class != "info" {
                "ok"
            } else {
                class
            },
            e(what)
        );
    };
    let privileged = "privileged (can change access)";
    let orphaned = "orphaned (deleted)";
    let eligible = "eligible through PIM";
    kpi(
        h,
        total.principals,
        ("principal with access", "principals with access"),
        "info",
    );
    kpi(h, total.privileged, (privileged, privileged), "bad");
    kpi(h, total.guests, ("guest", "guests"), "warn");
    kpi(
        h,
        total.disabled,
        ("disabled account", "disabled accounts"),
        "bad",
    );
    kpi(h, total.orphaned, (orphaned, orphaned), "bad");
    kpi(h, total.eligible, (eligible, eligible), "info");
    kpi(
        h,
        total.needs_decision,
        ("access needing a decision", "accesses needing a decision"),
        "warn",
    );
    kpi(
        h,
        total.removals_recommended,
        ("removal recommended", "removals recommended"),
        "bad",
    );
    h.push_str("</div>\n");
    if !s.review.incomplete.is_empty() {
        let n = s.review.incomplete.len();
        let _ = write!(
            h,
            "<details class=\"banner\"><summary><b>Incomplete:</b> {} in what this review could see (a group whose members were not imported, a role not defined); the figures may be low.</summary><ul>",
            count(n, "gap", "gaps")
        );
        for i in &s.review.incomplete {
            let _ = write!(h, "<li>{}</li>", e(&i.describe()));
        }
        h.push_str("</ul></details>\n");
    }
    h.push_str("<div class=\"two\">\n<div class=\"panel\"><h2>Per reviewed scope</h2><div class=\"scroll\"><table class=\"figures\"><thead><tr>\
        <th>Scope</th><th class=\"num\">Principals</th><th class=\"num\">Privileged</th><th class=\"num\">Guests</th>\
        <th class=\"num\">Disabled</th><th class=\"num\">Orphaned</th><th class=\"num\">Eligible</th>\
        <th class=\"num\">Accesses</th><th class=\"num\">To decide</th><th class=\"num\" title=\"removals recommended\">Remove</th></tr></thead><tbody>\n");
    let figures_row = |h: &mut String, label: &str, title: &str, f: &ScopeFigures| {
        let hot = |n: usize| {
            if n > 0 {
                format!("<td class=\"num hot\">{n}</td>")
            } else {
                format!("<td class=\"num\">{n}</td>")
            }
        };
        let _ = writeln!(
            h,
            "<tr><td title=\"{}\">{}</td><td class=\"num\">{}</td>{}<td class=\"num\">{}</td>{}{}<td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td>{}</tr>",
            e(title),
            e(label),
            f.principals,
            hot(f.privileged),
            f.guests,
            hot(f.disabled),
            hot(f.orphaned),
            f.eligible,
            f.rows,
            f.needs_decision,
            hot(f.removals_recommended),
        );
    };
    for f in per {
        let scope = f.scope.as_deref().unwrap_or_default();
        figures_row(h, &s.names.label(scope), scope, f);
    }
    h.push_str("</tbody>");
    if per.len() > 1 {
        h.push_str("<tfoot>");
        figures_row(
            h,
            "All scopes",
            "all reviewed scopes together: each principal and access once",
            total,
        );
        h.push_str("</tfoot>");
    }
    h.push_str("</table></div>");
    let _ = writeln!(
        h,
        "<p class=\"note\">Principals are users, service principals and managed identities ({} access too; their members are counted). \
         Access held at a management group, subscription or the root counts for every scope below it, and is listed once.</p></div>",
        count(total.groups, "group holds", "groups hold")
    );
    h.push_str("<div class=\"panel charts\">");
    h.push_str(&holders_chart(total));
    h.push_str(&progress_chart(per, s.names));
    h.push_str("</div>\n</div>\n");
    findings(h, f, s.names);
    escalation(h, f);
    h.push_str("</section>\n");
}

/// A horizontal bar chart of who holds access (all reviewed scopes together).
fn holders_chart(t: &ScopeFigures) -> String {
    let bars: [(&str, usize, &str); 6] = [
        ("Principals", t.principals, "#6366f1"),
        ("Privileged", t.privileged, "#dc2626"),
        ("Guests", t.guests, "#d97706"),
        ("Disabled", t.disabled, "#b91c1c"),
        ("Orphaned", t.orphaned, "#7f1d1d"),
        ("Eligible (PIM)", t.eligible, "#4338ca"),
    ];
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let (w, left, row) = (520usize, 110usize, 20usize);
    let span = w - left - 50;
    let height = 26 + bars.len() * row;
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"Who holds access\"><text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"600\" fill=\"#0f172a\">Who holds access</text>"
    );
    for (i, (label, n, color)) in bars.iter().enumerate() {
        let y = 24 + i * row;
        let len = (n * span).div_ceil(max);
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{ty}\" font-size=\"11\" fill=\"#475569\">{label}</text>\
             <rect x=\"{left}\" y=\"{y}\" width=\"{span}\" height=\"13\" rx=\"2\" fill=\"#f1f5f9\"/>\
             <rect x=\"{left}\" y=\"{y}\" width=\"{len}\" height=\"13\" rx=\"2\" fill=\"{color}\"/>\
             <text x=\"{nx}\" y=\"{ty}\" font-size=\"11\" font-weight=\"600\" fill=\"#0f172a\">{n}</text>",
            ty = y + 11,
            nx = left + span + 6,
        );
    }
    s.push_str("</svg>");
    s
}

/// Per scope, the accesses decided and still to decide (a stacked bar each), with
/// the removals recommended; the largest scopes when there are many.
fn progress_chart(per: &[ScopeFigures], names: &ScopeNames) -> String {
    let mut shown: Vec<&ScopeFigures> = per.iter().collect();
    shown.sort_by_key(|f| std::cmp::Reverse(f.rows));
    shown.truncate(CHART_SCOPES);
    let max = shown.iter().map(|f| f.rows).max().unwrap_or(0).max(1);
    let (w, left, row) = (520usize, 150usize, 20usize);
    let span = w - left - 110;
    let height = 44 + shown.len() * row + if per.len() > shown.len() { 14 } else { 0 };
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"Review progress per scope\">\
         <text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"600\" fill=\"#0f172a\">Review progress (accesses)</text>\
         <rect x=\"0\" y=\"22\" width=\"10\" height=\"10\" fill=\"#16a34a\"/><text x=\"14\" y=\"31\" font-size=\"11\" fill=\"#475569\">decided</text>\
         <rect x=\"70\" y=\"22\" width=\"10\" height=\"10\" fill=\"#f59e0b\"/><text x=\"84\" y=\"31\" font-size=\"11\" fill=\"#475569\">to decide</text>\
         <text x=\"150\" y=\"31\" font-size=\"11\" fill=\"#b91c1c\">▲ removals recommended</text>"
    );
    for (i, f) in shown.iter().enumerate() {
        let y = 40 + i * row;
        let decided = f.rows - f.needs_decision.min(f.rows);
        let lend = (decided * span) / max;
        let lent = (f.rows * span).div_ceil(max).saturating_sub(lend);
        let label = truncate(&names.label(f.scope.as_deref().unwrap_or_default()), 24);
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{ty}\" font-size=\"11\" fill=\"#475569\">{}</text>\
             <rect x=\"{left}\" y=\"{y}\" width=\"{lend}\" height=\"13\" fill=\"#16a34a\"/>\
             <rect x=\"{x2}\" y=\"{y}\" width=\"{lent}\" height=\"13\" fill=\"#f59e0b\"/>\
             <text x=\"{nx}\" y=\"{ty}\" font-size=\"11\" fill=\"#0f172a\">{} of {}{}</text>",
            html_escape(&label),
            decided,
            f.rows,
            if f.removals_recommended > 0 {
                format!(
                    " <tspan fill=\"#b91c1c\" font-weight=\"600\">▲{}</tspan>",
                    f.removals_recommended
                )
            } else {
                String::new()
            },
            ty = y + 11,
            x2 = left + lend,
            nx = left + lend + lent + 6,
        );
    }
    if per.len() > shown.len() {
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" font-size=\"11\" fill=\"#64748b\">and {} smaller scopes (see the table)</text>",
            44 + shown.len() * row + 8,
            per.len() - shown.len()
        );
    }
    s.push_str("</svg>");
    s
}

/// The most severe `lint` findings, and how to see the rest.
fn findings(h: &mut String, f: &Findings, names: &ScopeNames) {
    let e = html_escape;
    let scope_arg = f.scope.map(|s| format!(" --scope {s}")).unwrap_or_default();
    let _ = write!(
        h,
        "<div class=\"panel\" id=\"findings\"><h2>Top findings <span class=\"muted small\">from whocan lint{}</span></h2>",
        f.scope
            .map(|s| format!(", at, above and below {}", e(&names.label(s))))
            .unwrap_or_default()
    );
    let shown: Vec<&Finding> = f
        .list
        .iter()
        .filter(|x| x.severity != Severity::Info)
        .take(TOP_FINDINGS)
        .collect();
    if shown.is_empty() {
        h.push_str("<p class=\"muted\">No finding at, above or below the reviewed scopes.</p>");
    } else {
        finding_list(h, &shown);
    }
    let rest = f.list.len() - shown.len();
    if rest > 0 {
        let _ = write!(
            h,
            "<p class=\"note\">{} (all severities) with <span class=\"mono\">whocan lint{}</span>.</p>",
            count(rest, "more finding", "more findings"),
            e(&scope_arg)
        );
    }
    h.push_str("</div>\n");
}

/// Findings as a list: severity, message, fix hint.
fn finding_list(h: &mut String, list: &[&Finding]) {
    let e = html_escape;
    h.push_str("<ol class=\"findings\">");
    for x in list {
        let sev = x.severity.as_str();
        let _ = write!(
            h,
            "<li class=\"{sev}\"><span class=\"sev {sev}\">{sev}</span>{}<span class=\"hint\">{}</span></li>",
            e(&x.message),
            e(&x.hint)
        );
    }
    h.push_str("</ol>");
}

/// Beyond the role table (issue 15): every escalation finding for the
/// reviewed scopes — who can give themselves more, or reach data through keys
/// or an identity — and the question that lists each chain.
fn escalation(h: &mut String, f: &Findings) {
    let list: Vec<&Finding> = f
        .list
        .iter()
        .filter(|x| crate::audit::lint_escalation::KINDS.contains(&x.kind.as_str()))
        .collect();
    h.push_str(
        "<div class=\"panel\" id=\"escalation\"><h2>Escalation <span class=\"muted small\">beyond the role table: documented steps to more access</span></h2>",
    );
    if list.is_empty() {
        h.push_str("<p class=\"muted\">No principal was found who can reach more access through the documented steps (granting a role, storage keys, a compute's identity, a datastore's secret) at, above or below the reviewed scopes.</p>");
    } else {
        finding_list(h, &list);
    }
    h.push_str("<p class=\"note\">Each chain, step by step: <span class=\"mono\">whocan who ACTION --scope SCOPE --effective</span>, <span class=\"mono\">whocan who --activity read-training-data --workspace W --effective</span>.</p></div>\n");
}

/// Which optional columns the access table has.
#[derive(Clone, Copy)]
struct Layout {
    /// Several reviewed scopes: a "Reaches" column.
    many: bool,
    /// A deny assignment blocks some row: a "Blocked by" column.
    blocked: bool,
}

/// The columns of the access table: (class of its `<col>`, header).
fn columns(layout: Layout) -> Vec<(&'static str, &'static str)> {
    let mut c = vec![
        ("c-principal", "Principal"),
        ("c-role", "Role"),
        ("c-held", "Held at"),
    ];
    if layout.many {
        c.push(("c-reach", "Reaches"));
    }
    c.extend([("c-path", "Through"), ("c-pim", "PIM")]);
    if layout.blocked {
        c.push(("c-deny", "Blocked by"));
    }
    c.extend([
        ("c-cond", "Condition"),
        ("c-rec", "Recommendation"),
        ("c-dec", "Decision"),
    ]);
    c
}

fn access_section(
    h: &mut String,
    s: &Sheet,
    grouped: &[PrincipalAccess],
    out: &mut dyn Write,
) -> io::Result<()> {
    let e = html_escape;
    let targets = &s.review.targets;
    let many = targets.len() > 1;
    let layout = Layout {
        many,
        blocked: s.review.rows.iter().any(|r| !r.blocked_by.is_empty()),
    };
    let cols = columns(layout);
    let accesses: usize = grouped.iter().map(|p| p.access.len()).sum();
    let _ = write!(
        h,
        "<section id=\"principals\" class=\"panel\"><h2>Access by principal <span class=\"muted small\">({} and groups, {}; open a principal for each path and its identifiers)</span></h2>\n\
         <div class=\"toolbar\"><input id=\"q\" type=\"search\" placeholder=\"Filter: name, role, group, scope…\" aria-label=\"Filter\">",
        count(grouped.len(), "principal", "principals"),
        count(accesses, "access", "accesses"),
    );
    if many {
        h.push_str("<select id=\"scope\" aria-label=\"Reviewed scope\"><option value=\"\">All reviewed scopes</option>");
        for (i, t) in targets.iter().enumerate() {
            let _ = write!(h, "<option value=\"{i}\">{}</option>", e(&s.names.label(t)));
        }
        h.push_str("</select>");
    }
    h.push_str(
        "<label><input type=\"checkbox\" data-attr=\"data-privileged\"> privileged</label>\
         <label><input type=\"checkbox\" data-attr=\"data-todo\"> to decide</label>\
         <label><input type=\"checkbox\" data-attr=\"data-remove\"> removal recommended</label>\
         <label><input type=\"checkbox\" data-attr=\"data-eligible\"> eligible (PIM)</label>\
         <label><input type=\"checkbox\" data-attr=\"data-attention\"> guest, disabled or orphaned</label>\
         <button id=\"expand\" type=\"button\">Expand all</button><button id=\"collapse\" type=\"button\">Collapse all</button>\
         <button id=\"reset\" type=\"button\">Reset</button><span id=\"count\"></span></div>\n",
    );
    h.push_str("<table id=\"access\"><colgroup>");
    for (class, _) in &cols {
        let _ = write!(h, "<col class=\"{class}\">");
    }
    h.push_str("</colgroup><thead><tr>");
    for (_, name) in &cols {
        let _ = write!(
            h,
            "<th scope=\"col\" class=\"sort\" tabindex=\"0\" title=\"Sort by {name}\" aria-sort=\"none\">{name}</th>"
        );
    }
    h.push_str("</tr><tr class=\"colfilter\">");
    for (_, name) in &cols {
        let _ = write!(
            h,
            "<th><input type=\"search\" aria-label=\"Filter {name}\" placeholder=\"filter\"></th>"
        );
    }
    h.push_str("</tr></thead>\n");
    out.write_all(h.as_bytes())?;
    h.clear();
    let mut pictures = 0;
    for p in grouped {
        principal_group(h, s, p, layout, cols.len(), &mut pictures);
        out.write_all(h.as_bytes())?;
        h.clear();
    }
    h.push_str("</table>\n");
    if pictures >= MAX_PICTURES {
        let _ = write!(
            h,
            "<p class=\"note\">Path diagrams are drawn for the first {MAX_PICTURES} accesses; the rest show their path in words.</p>"
        );
    }
    h.push_str("</section>\n");
    Ok(())
}

/// The principal's standing as badges.
fn principal_badges(p: &crate::engine::decide::PrincipalInfo, privileged: bool) -> String {
    let mut b = String::new();
    if privileged {
        b.push_str("<span class=\"badge priv\">privileged</span>");
    }
    if p.is_guest() {
        b.push_str("<span class=\"badge guest\">guest</span>");
    }
    if p.is_disabled() {
        b.push_str("<span class=\"badge bad\">disabled</span>");
    }
    if p.is_orphaned() {
        b.push_str("<span class=\"badge bad\">orphaned</span>");
    }
    if p.managed_identity {
        b.push_str("<span class=\"badge\">managed identity</span>");
    }
    b
}

fn principal_group(
    h: &mut String,
    s: &Sheet,
    p: &PrincipalAccess,
    layout: Layout,
    ncols: usize,
    pictures: &mut usize,
) {
    let e = html_escape;
    let info = p.principal;
    let name = if info.display_name.is_empty() {
        info.id.clone()
    } else {
        info.display_name.clone()
    };
    let attention = info.is_guest() || info.is_disabled() || info.is_orphaned();
    let search_text = format!(
        "{} {} {} {}",
        name,
        info.user_principal_name.as_deref().unwrap_or(""),
        info.id,
        info.kind
    )
    .to_lowercase();
    let todo = p.needs_decision();
    let removals = p.removals_recommended();
    let _ = write!(
        h,
        "<tbody data-name=\"{}\" data-text=\"{}\"><tr class=\"ph\"><td colspan=\"{}\"><details><summary>\
         <span class=\"pn\">{}</span>{} <span class=\"muted\">{}{} · {}{}{}</span></summary>\
         <dl class=\"ids\"><dt>Object id</dt><dd class=\"mono\">{}</dd></dl><div class=\"grants\">",
        e(&name.to_lowercase()),
        e(&search_text),
        ncols,
        e(&name),
        principal_badges(info, p.privileged()),
        e(&info.kind),
        info.user_principal_name
            .as_deref()
            .map(|u| format!(" · {}", e(u)))
            .unwrap_or_default(),
        count(p.access.len(), "access", "accesses"),
        if todo > 0 {
            format!(" · {todo} to decide")
        } else {
            String::new()
        },
        if removals > 0 {
            format!(
                " · <b class=\"kind-remove\">{} recommended</b>",
                count(removals, "removal", "removals")
            )
        } else {
            String::new()
        },
        e(&info.id),
    );
    for a in &p.access {
        grant_figure(h, s, a, pictures);
    }
    h.push_str("</div></details></td></tr>\n");
    for a in &p.access {
        access_row(h, s, a, &name, attention, layout);
    }
    h.push_str("</tbody>\n");
}

/// One access in the expanded view: its path diagram and identifiers.
fn grant_figure(h: &mut String, s: &Sheet, a: &Access, pictures: &mut usize) {
    let e = html_escape;
    let r = a.row;
    let picture = if *pictures < MAX_PICTURES {
        *pictures += 1;
        path_svg(r, s.names)
    } else {
        format!("<p>{}</p>", e(&r.access_path))
    };
    let _ = write!(
        h,
        "<figure class=\"grant\"><figcaption>{} at {}</figcaption>{picture}<dl class=\"ids\">\
         <dt>Role</dt><dd>{} <span class=\"mono\">{}</span></dd>\
         <dt>Assignment</dt><dd class=\"mono\">{}</dd>\
         <dt>Held at</dt><dd class=\"mono\">{}</dd>\
         <dt>Review key</dt><dd class=\"mono\">{}</dd>",
        e(&role_label(r)),
        e(&s.names.label(&r.assignment_scope)),
        e(if r.role_type.is_empty() {
            "undefined"
        } else {
            &r.role_type
        }),
        e(&r.role_id),
        e(&r.assignment_id),
        e(&r.assignment_scope),
        e(&r.review_key),
    );
    if let Some(c) = r.condition.as_deref() {
        let _ = write!(
            h,
            "<dt>Condition as written</dt><dd class=\"mono\">{}</dd>",
            e(c)
        );
    }
    if !r.window.is_empty() || r.pim == Pim::Eligible {
        let _ = write!(
            h,
            "<dt>Window</dt><dd class=\"mono\">{}</dd>",
            e(if r.window.is_empty() {
                "no start, no end"
            } else {
                &r.window
            }),
        );
    }
    for d in r.blocked_by.iter() {
        let _ = write!(
            h,
            "<dt>Blocked by</dt><dd>{} at {} <span class=\"mono\">{}</span></dd>",
            e(&deny_name(d)),
            e(&s.names.label(&d.scope)),
            e(&d.id),
        );
    }
    h.push_str("</dl></figure>");
}

fn reach_cell(reach: &Reach, targets: &[String], names: &ScopeNames) -> (String, String) {
    match reach {
        Reach::All => ("*".into(), format!("all {} reviewed scopes", targets.len())),
        Reach::Some(list) => (
            list.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            list.iter()
                .map(|&i| names.label(&targets[i]))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

/// One access as a table row.
fn access_row(h: &mut String, s: &Sheet, a: &Access, name: &str, attention: bool, layout: Layout) {
    let e = html_escape;
    let r = a.row;
    let (reach_attr, reach_text) = reach_cell(&a.reach, &s.review.targets, s.names);
    let remove = removal_recommended(r);
    let todo = needs_decision(a.carry);
    let _ = write!(
        h,
        "<tr class=\"ac{}\" data-privileged=\"{}\" data-todo=\"{todo}\" data-remove=\"{remove}\" data-eligible=\"{}\" data-attention=\"{attention}\" data-reach=\"{}\">\
         <td>{}</td><td data-sort=\"{}\" title=\"role {}\">{}{}</td><td title=\"{}\">{}{}</td>",
        if remove { " remove" } else { "" },
        r.privileged,
        r.pim == Pim::Eligible,
        e(&reach_attr),
        e(name),
        e(&r.role_name.to_lowercase()),
        e(&r.role_id),
        e(&role_label(r)),
        if r.privileged {
            "<span class=\"badge priv\">privileged</span>"
        } else {
            ""
        },
        e(&r.assignment_scope),
        e(&s.names.label(&r.assignment_scope)),
        if r.inherited {
            " <span class=\"muted small\">(inherited)</span>"
        } else if r.below {
            " <span class=\"muted small\">(below)</span>"
        } else {
            ""
        },
    );
    if layout.many {
        let _ = write!(h, "<td>{}</td>", e(&reach_text));
    }
    let through = if r.via.is_empty() {
        "direct".to_string()
    } else {
        r.via
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>()
            .join(" → ")
    };
    let kind = match r.pim {
        Pim::Eligible => format!(
            "<span class=\"badge elig\">eligible</span>{}",
            if r.expired {
                "<span class=\"badge bad\">ended</span>"
            } else {
                ""
            },
        ),
        other => e(other.as_str()),
    };
    let pim = match window_dates(r) {
        Some((start, end)) => format!(
            "{kind}<br><span class=\"small muted\" title=\"window {}\">{} → {}</span>",
            e(&r.window),
            e(start),
            e(end)
        ),
        None => kind,
    };
    let blocked = if layout.blocked {
        let names: Vec<String> = r
            .blocked_by
            .iter()
            .map(|d| {
                format!(
                    "<div title=\"deny assignment {} at {}\">{}</div>",
                    e(&d.id),
                    e(&s.names.label(&d.scope)),
                    e(&deny_name(d))
                )
            })
            .collect();
        format!("<td class=\"small deny\">{}</td>", names.concat())
    } else {
        String::new()
    };
    let cond = r
        .condition
        .as_deref()
        .map(|c| {
            format!(
                "<span title=\"{}\">{}</span>",
                e(c),
                e(&condition::readable(c))
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        h,
        "<td>{}</td><td>{pim}</td>{blocked}<td class=\"small\">{cond}</td><td class=\"rec small\">{}</td><td>{}</td></tr>",
        if r.via.is_empty() {
            "<span class=\"muted\">direct</span>".to_string()
        } else {
            format!("via {}", e(&through))
        },
        recommendations(r, a.carry),
        decision_cell(a.carry),
    );
}

/// The row's PIM or time-bound window as two short dates (an open start `?`, an
/// open end `no end`); an eligibility with no window at all shows both open.
fn window_dates<'a>(r: &'a ReviewRow) -> Option<(&'a str, &'a str)> {
    if r.window.is_empty() {
        return (r.pim == Pim::Eligible).then_some(("?", "no end"));
    }
    let (start, end) = r.window.split_once("..").unwrap_or((&r.window, ""));
    let bound = |b: &'a str, open: &'static str| -> &'a str {
        short_date(Some(b))
            .filter(|b| !b.is_empty())
            .unwrap_or(open)
    };
    Some((bound(start, "?"), bound(end, "no end")))
}

/// `2026-12-31T00:00:00Z` → `2026-12-31`.
fn short_date(t: Option<&str>) -> Option<&str> {
    t.map(|t| t.get(..10).filter(|_| t.len() > 10).unwrap_or(t))
}

/// Each recommendation on its line, its kind coloured; then the carry-over mark.
fn recommendations(r: &ReviewRow, c: &Carry) -> String {
    let e = html_escape;
    let mut out = String::new();
    for x in &r.recommendations {
        let kind = match x.kind {
            RecommendationKind::Remove => "remove",
            RecommendationKind::Review => "review",
            RecommendationKind::UseGroup => "useGroup",
            RecommendationKind::Note => "note",
        };
        let (head, rest) = x.text.split_once(": ").unwrap_or(("", &x.text));
        let _ = write!(
            out,
            "<div><span class=\"kind-{kind}\">{}</span>{}</div>",
            e(if head.is_empty() {
                String::new()
            } else {
                format!("{head}: ")
            }
            .as_str()),
            e(rest)
        );
    }
    if let Some(m) = c.mark() {
        let _ = write!(out, "<div class=\"muted\">{}</div>", e(&m));
    }
    if out.is_empty() {
        // The sheet's cell, for a future kind this page does not know.
        out = e(&recommendation_cell(r, c));
    }
    out
}

fn decision_cell(c: &Carry) -> String {
    let e = html_escape;
    match c.prefill() {
        (Some(d), comment) => format!(
            "<span class=\"badge ok\">{}</span>{}",
            e(d),
            comment
                .map(|x| format!("<br><span class=\"small muted\">{}</span>", e(x)))
                .unwrap_or_default()
        ),
        (None, _) => "<span class=\"badge todo\">to decide</span>".to_string(),
    }
}

/// The review as one self-contained HTML page.
pub(crate) fn write_html(out: &mut dyn Write, s: &Sheet, f: &Findings) -> io::Result<()> {
    let e = html_escape;
    let (per, total) = summary::figures(&s.review.targets, &s.review.rows, s.carry);
    let grouped = summary::by_principal(&s.review.targets, &s.review.rows, s.carry);
    let mut h = String::new();
    let title = format!(
        "Access review — {} — snapshot {}",
        scopes_line(&s.review.targets, s.names),
        s.snapshot.id
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src {}; script-src {}; img-src 'none'; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n<script>{JS}</script>\n</head>\n<body>\n\
         <output id=\"selftest\" hidden></output>\n",
        csp_hash(CSS),
        csp_hash(JS),
        e(&title)
    );
    overview(&mut h, s, &per, &total, f);
    access_section(&mut h, s, &grouped, out)?;
    let _ = write!(
        h,
        "<footer>Decisions are recorded from the CSV sheet or the workbook with <span class=\"mono\">whocan review apply FILE</span>; \
         this page records nothing. “Privileged”: the role can change access (roleAssignments/write). \
         “To decide”: no decision carried over from an earlier review. Made by whocan {} from snapshot {} ({}).</footer>\n\
         </body>\n</html>\n",
        e(env!("CARGO_PKG_VERSION")),
        s.snapshot.id,
        e(&s.snapshot.taken_at),
    );
    out.write_all(h.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escape_covers_markup_and_quotes() {
        assert_eq!(
            html_escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn csp_hashes_are_sha256_in_base64() {
        // `echo -n '' | openssl dgst -sha256 -binary | base64`
        assert_eq!(
            csp_hash(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }

    #[test]
    fn dates_are_shortened_only_when_they_have_a_time() {
        assert_eq!(short_date(Some("2026-12-31T00:00:00Z")), Some("2026-12-31"));
        assert_eq!(short_date(Some("2026-12-31")), Some("2026-12-31"));
        assert_eq!(short_date(None), None);
    }
}
