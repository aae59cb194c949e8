//! The shipped scenarios' `report.html` in a real headless browser (Chromium) at 1,280 px:
//! nothing scrolls sideways, every chart is there and drawn, and the console stays quiet.
//!
//! The page is loaded with `chromium --headless --dump-dom`, with a probe script appended that
//! measures the laid-out page and writes its findings into the DOM, which the test then reads.
//! Without Chromium the test prints why and passes, except under CI (`CI=true`), where a
//! missing browser is a failure: `.ci/run` installs the `chromium` package.
use crate::common::capsim;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The probe: installed first thing in `<head>` so it sees every error, it measures the page
/// once laid out and writes its findings as JSON into `<pre id="capsim-probe">` at the end.
const PROBE_HEAD: &str = r#"<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  window.__errors.push('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || 'resource'));
}, true);
(function () {
  var orig = console.error;
  console.error = function () { window.__errors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); orig.apply(console, arguments); };
})();
</script>"#;

const PROBE_BODY: &str = r#"<script>
window.addEventListener('load', function () {
  var de = document.documentElement;
  var charts = Array.prototype.map.call(document.querySelectorAll('figure svg, figure img'), function (el) {
    var r = el.getBoundingClientRect();
    var drawn = el.tagName.toLowerCase() === 'img'
      ? (el.naturalWidth > 0 ? 1 : 0)
      : el.querySelectorAll('path, polyline, polygon, rect, line, circle').length;
    var text = el.tagName.toLowerCase() === 'img' ? 0 : el.querySelectorAll('text').length;
    var bbox = 0;
    try { var b = el.getBBox ? el.getBBox() : null; bbox = b ? b.width * b.height : 0; } catch (e) {}
    return { id: (el.closest('figure') || {}).id || '', w: r.width, h: r.height, drawn: drawn, text: text, bbox: bbox };
  });
  var wide = [];
  Array.prototype.forEach.call(document.querySelectorAll('body *'), function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > de.clientWidth + 0.5 && !el.closest('.table-wrap')) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + el.className : '') + ' right=' + Math.round(r.right));
    }
  });
  var out = { innerWidth: window.innerWidth, scrollWidth: de.scrollWidth, clientWidth: de.clientWidth,
              bodyScrollWidth: document.body.scrollWidth, charts: charts, errors: window.__errors, wide: wide.slice(0, 12) };
  var pre = document.createElement('pre');
  pre.id = 'capsim-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"#;

/// The Chromium binary: `CAPSIM_CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CAPSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// What the probe measured.
struct Probe {
    json: serde_json::Value,
    stderr: String,
}

/// Loads `html` (a report page, with the probe added) at `width` px and returns the probe's findings.
fn probe(browser: &Path, html: &Path, width: u32) -> Probe {
    let page = std::fs::read_to_string(html).expect("report.html");
    let page = page.replacen("<head>", &format!("<head>\n{PROBE_HEAD}"), 1).replacen(
        "</body>",
        &format!("{PROBE_BODY}\n</body>"),
        1,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("probe.html");
    std::fs::write(&file, page).expect("write probe page");
    let profile = dir.path().join("profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--window-size={width},1000"),
            "--dump-dom",
        ])
        .arg(format!("file://{}", file.display()))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("chromium starts");
    let dom = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = dom
        .split_once("<pre id=\"capsim-probe\">")
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(json, _)| json)
        .unwrap_or_else(|| panic!("the probe did not run (exit {:?}); stderr:\n{stderr}", out.status));
    let json = json
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"");
    Probe {
        json: serde_json::from_str(&json).unwrap_or_else(|e| panic!("probe output {json}: {e}")),
        stderr,
    }
}

/// Runs a shipped scenario into a temporary directory; returns it and the report directory.
fn report_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join(name);
    capsim()
        .args(["run", &format!("scenarios/{name}.yaml"), "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    (dir, out)
}

/// The browser, or `None` (with a printed reason) when a local run has none. Under CI a missing
/// browser fails: the test must not pass there without having looked.
fn browser_or_skip() -> Option<PathBuf> {
    match chromium() {
        Some(p) => Some(p),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but no Chromium found (install the `chromium` package; .ci/run does)")
        }
        None => {
            eprintln!(
                "SKIPPED report_pages_fit_1280px_in_a_real_browser: no Chromium on the PATH \
                 (apt-get install chromium, or set CAPSIM_CHROMIUM); CI=true makes this a failure"
            );
            None
        }
    }
}

fn check_page(browser: &Path, name: &str) {
    let (_dir, out) = report_of(name);
    let svgs = std::fs::read_dir(&out)
        .expect("report dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "svg"))
        })
        .count();
    assert!(svgs >= 5, "{name}: only {svgs} charts written");
    let p = probe(browser, &out.join("report.html"), 1280);
    let j = &p.json;
    let ctx = format!("{name}: {j}");
    assert_eq!(j["innerWidth"], 1280, "{ctx}: the window is not 1,280 px wide");
    let (scroll, client) = (j["scrollWidth"].as_f64().unwrap(), j["clientWidth"].as_f64().unwrap());
    assert!(
        scroll <= client,
        "{ctx}: the page scrolls sideways ({scroll} > {client} px)"
    );
    assert!(
        j["wide"].as_array().unwrap().is_empty(),
        "{ctx}: elements past the right edge"
    );
    let charts = j["charts"].as_array().unwrap();
    assert_eq!(charts.len(), svgs, "{ctx}: every chart written must be on the page");
    for c in charts {
        assert!(
            c["w"].as_f64().unwrap() > 300.0 && c["h"].as_f64().unwrap() > 100.0,
            "{ctx}: chart {c} has no size"
        );
        assert!(
            c["drawn"].as_u64().unwrap() >= 10,
            "{ctx}: chart {c} draws (almost) nothing"
        );
        assert!(
            c["text"].as_u64().unwrap() >= 5,
            "{ctx}: chart {c} has no title, axes or legend"
        );
        assert!(
            c["bbox"].as_f64().unwrap() > 10_000.0,
            "{ctx}: chart {c} has an empty drawing"
        );
    }
    assert!(j["errors"].as_array().unwrap().is_empty(), "{ctx}: errors on the page");
    let console: Vec<&str> = p
        .stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("ERROR") || l.contains("error")))
        .collect();
    assert!(console.is_empty(), "{name}: console errors: {console:?}");
}

#[test]
fn report_pages_fit_1280px_in_a_real_browser() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    for name in ["beta", "ga"] {
        check_page(&browser, name);
    }
}

/// The probe itself can fail: a page wider than the window is caught.
#[test]
fn the_browser_probe_catches_a_page_that_scrolls_sideways() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("wide.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head></head><body><pre>a very long line that does not wrap \
         ----------------------------------------------------------------------------------------------------\
         ----------------------------------------------------------------------------------------------------\
         </pre><div style=\"width: 2000px\">wide</div><figure><svg width=\"0\" height=\"0\"></svg></figure><img src=\"missing.png\"></body></html>",
    )
    .unwrap();
    let p = probe(&browser, &page, 1280);
    let j = &p.json;
    assert!(
        j["scrollWidth"].as_f64().unwrap() > j["clientWidth"].as_f64().unwrap(),
        "{j}"
    );
    assert!(!j["wide"].as_array().unwrap().is_empty(), "{j}");
    assert_eq!(j["charts"][0]["drawn"], 0, "{j}");
    assert!(
        !j["errors"].as_array().unwrap().is_empty(),
        "a missing image is an error: {j}"
    );
}
