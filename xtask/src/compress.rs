//! Precompressed copies of the built console, which the server sends to browsers that
//! accept them: `.gz` made with zopfli (gzip format, about 5 % smaller than zlib's best)
//! and `.br` (brotli, quality 11).
//!
//! Both take seconds on the wasm, so results are cached under `target/precompressed/` by a
//! hash of the content: a rebuild that changes nothing compresses nothing.

use std::collections::HashSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

/// The file kinds the server may send compressed.
const KINDS: [&str; 5] = ["wasm", "js", "css", "html", "json"];

/// gzip bytes, as the server sends them.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let options = zopfli::Options {
        iteration_count: NonZeroU64::new(5).ok_or("zero iterations")?,
        ..Default::default()
    };
    let mut out = Vec::new();
    zopfli::compress(options, zopfli::Format::Gzip, bytes, &mut out)
        .map_err(|e| format!("gzip: {e}"))?;
    Ok(out)
}

/// brotli bytes, as the server sends them.
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        w.write_all(bytes).map_err(|e| format!("brotli: {e}"))?;
        w.flush().map_err(|e| format!("brotli: {e}"))?;
    }
    Ok(out)
}

/// Writes `file.gz` and `file.br` beside each asset of `dist`, reusing what `cache` holds.
/// Cache entries no asset used this time are removed.
pub fn precompress(dist: &Path, cache: &Path) -> Result<(), String> {
    std::fs::create_dir_all(cache)
        .map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
    let mut used = HashSet::new();
    for path in assets(dist)? {
        let bytes = read(&path)?;
        let key = content_key(&bytes);
        for (ext, compress) in [("gz", gzip as fn(&[u8]) -> _), ("br", brotli)] {
            let cached = cache.join(format!("{key}.{ext}"));
            let packed = match std::fs::read(&cached) {
                Ok(b) => b,
                Err(_) => {
                    let b = compress(&bytes)?;
                    write(&cached, &b)?;
                    b
                }
            };
            used.insert(cached);
            let mut out = path.clone().into_os_string();
            out.push(format!(".{ext}"));
            write(Path::new(&out), &packed)?;
        }
    }
    for entry in std::fs::read_dir(cache).map_err(|e| e.to_string())? {
        let p = entry.map_err(|e| e.to_string())?.path();
        if !used.contains(&p) {
            let _ = std::fs::remove_file(p);
        }
    }
    Ok(())
}

/// The assets of `dist` that are sent compressed, in name order.
pub fn assets(dist: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for entry in
        std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if path.is_dir() {
            out.extend(assets(&path)?);
        } else if KINDS.contains(&ext) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// The compressed copy the server sends for `path` (`ext` is "gz" or "br"), made now if
/// the build left none.
pub fn sent(path: &Path, ext: &str) -> Result<Vec<u8>, String> {
    let mut p = path.to_path_buf().into_os_string();
    p.push(format!(".{ext}"));
    match std::fs::read(&p) {
        Ok(b) => Ok(b),
        Err(_) if ext == "gz" => gzip(&read(path)?),
        Err(_) => brotli(&read(path)?),
    }
}

fn content_key(bytes: &[u8]) -> String {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    format!("{:016x}-{}", h.finish(), bytes.len())
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn precompressed_files_decompress_to_the_original_and_are_cached() {
        let dir = scratch("precompress");
        let cache = dir.join("cache");
        let content = "body { color: red; }\n".repeat(50);
        std::fs::write(dir.join("style-0123456789abcdef.css"), &content).unwrap();
        std::fs::write(dir.join("notes.txt"), "not an asset").unwrap();
        precompress(&dir, &cache).unwrap();

        let gz = std::fs::read(dir.join("style-0123456789abcdef.css.gz")).unwrap();
        assert!(gz.len() < content.len());
        let mut out = String::new();
        GzDecoder::new(&gz[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, content);

        let br = std::fs::read(dir.join("style-0123456789abcdef.css.br")).unwrap();
        assert!(br.len() < content.len());
        let mut out = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, content);
        assert!(!dir.join("notes.txt.gz").exists());

        // A second run reuses the cache: a planted cache entry is what gets written out.
        let entries: Vec<_> = std::fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(entries.len(), 2);
        let gz_entry = entries
            .iter()
            .find(|p| p.extension().unwrap() == "gz")
            .unwrap();
        std::fs::write(gz_entry, b"cached").unwrap();
        precompress(&dir, &cache).unwrap();
        assert_eq!(
            std::fs::read(dir.join("style-0123456789abcdef.css.gz")).unwrap(),
            b"cached"
        );

        // Entries of files that are gone are removed.
        std::fs::remove_file(dir.join("style-0123456789abcdef.css")).unwrap();
        precompress(&dir, &cache).unwrap();
        assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 0);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn zopfli_gzip_is_no_larger_than_zlib_best() {
        let text: String = (0..4000)
            .map(|i| format!("row {i} state {}\n", i % 7))
            .collect();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(text.as_bytes()).unwrap();
        let zlib = enc.finish().unwrap();
        assert!(gzip(text.as_bytes()).unwrap().len() <= zlib.len());
    }
}
