fn main() {
    let path = std::env::args().nth(1).unwrap();
    let (sc, cat) = capsim::scenario::load(std::path::Path::new(&path), None).unwrap_or_else(|e| { eprintln!("{e}"); std::process::exit(2) });
    let t = std::time::Instant::now();
    let r = capsim::run::run(&sc, &cat);
    println!("{}", serde_json::to_string_pretty(&r.stations).unwrap());
    eprintln!("{:?}", t.elapsed());
}
