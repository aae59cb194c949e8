//! `capsim new [--template NAME] [PATH]`: a commented starter scenario for a typical stack,
//! so a new user need not copy one from the README. Each template is a scenario file of its
//! own here (`web-app.yaml`…), built into the binary; a test validates and runs every one.

use std::io::Write;
use std::path::Path;

/// The stacks `capsim new` has a template for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Template {
    /// An API on Railway and Postgres on Supabase, moving to paid plans as the database grows.
    WebApp,
    /// An API and a job queue on Railway, Supabase, Upstash Redis and an LLM call per job.
    ApiWorker,
    /// Functions on Vercel (per request, CPU and memory) and Supabase Postgres.
    Serverless,
}

/// Every template, with its name and text.
pub const TEMPLATES: &[(Template, &str, &str)] = &[
    (Template::WebApp, "web-app", include_str!("web-app.yaml")),
    (Template::ApiWorker, "api-worker", include_str!("api-worker.yaml")),
    (Template::Serverless, "serverless", include_str!("serverless.yaml")),
];

/// The text of template `t`.
pub fn text(t: Template) -> &'static str {
    TEMPLATES.iter().find(|x| x.0 == t).map_or("", |x| x.2)
}

/// The name of template `t` (`web-app`).
pub fn name(t: Template) -> &'static str {
    TEMPLATES.iter().find(|x| x.0 == t).map_or("", |x| x.1)
}

/// Writes template `t` to `path`. An existing file is replaced only with `force`, and never
/// a directory or a symbolic link; without `force` the file is created only if absent (in one
/// step, so a file that appears meanwhile is not overwritten either).
pub fn write(t: Template, path: &Path, force: bool) -> Result<(), String> {
    let shown = path.display();
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => return Err(format!("{shown} is a directory; name the scenario file to write")),
        Ok(m) if !m.is_file() => return Err(format!("{shown} exists and is not a regular file; not replaced")),
        Ok(_) if !force => return Err(format!("{shown} exists; pass --force to replace it")),
        _ => {}
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    let mut f = opts.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => format!("{shown} exists; pass --force to replace it"),
        std::io::ErrorKind::NotFound => format!("cannot write {shown}: its directory does not exist"),
        _ => format!("cannot write {shown}: {e}"),
    })?;
    f.write_all(text(t).as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot write {shown}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_template_is_listed_once_under_its_clap_name() {
        for t in Template::value_variants() {
            let n = TEMPLATES.iter().filter(|x| x.0 == *t).count();
            assert_eq!(n, 1, "{t:?}");
            assert_eq!(t.to_possible_value().unwrap().get_name(), name(*t));
            assert!(text(*t).starts_with("# "), "{t:?} starts with its comment");
        }
    }

    #[test]
    fn an_existing_file_is_kept_without_force_and_replaced_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.yaml");
        std::fs::write(&p, "mine").unwrap();
        let e = write(Template::WebApp, &p, false).unwrap_err();
        assert!(e.contains("--force"), "{e}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "mine");
        write(Template::WebApp, &p, true).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), text(Template::WebApp));
        let e = write(Template::WebApp, dir.path(), true).unwrap_err();
        assert!(e.contains("is a directory"), "{e}");
        let e = write(Template::WebApp, &dir.path().join("no/such/dir.yaml"), false).unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
    }
}
