//! Writing a directory of outputs (a run's files, a whole site) without ever leaving a
//! half-written result: everything goes to a temporary directory beside the target, which then
//! replaces the target in one rename. If anything fails first, the previous target is untouched.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A directory being filled; [`Staging::commit`] moves it into place.
pub struct Staging {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl Staging {
    /// Starts a staging directory for `target` in the same parent (so the final rename does not
    /// cross file systems).
    pub fn new(target: &Path) -> std::io::Result<Staging> {
        if target.exists() && !target.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a directory", target.display()),
            ));
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir(&tmp)?;
        Ok(Staging {
            target: target.to_path_buf(),
            tmp,
            committed: false,
        })
    }

    /// The staging directory itself, for writers that lay out subdirectories.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Writes one file into the staging directory (`name` may contain `/`; missing directories
    /// are created).
    pub fn write(
        &self,
        name: &str,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let path = self.tmp.join(name);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let mut f = std::io::BufWriter::new(fs::File::create(path)?);
        write(&mut f)?;
        f.flush()?;
        f.into_inner().map_err(|e| e.into_error())?.sync_all()
    }

    /// Replaces the target with the staging directory.
    pub fn commit(mut self) -> std::io::Result<()> {
        if self.target.exists() {
            let old = self
                .tmp
                .with_extension(format!("old-{}", std::process::id()));
            fs::rename(&self.target, &old)?;
            if let Err(e) = fs::rename(&self.tmp, &self.target) {
                // Put the previous result back rather than leave nothing.
                let _ = fs::rename(&old, &self.target);
                return Err(e);
            }
            fs::remove_dir_all(&old)?;
        } else {
            fs::rename(&self.tmp, &self.target)?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_run_leaves_the_previous_output_alone() {
        let dir = std::env::temp_dir().join(format!("tenbin-staging-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let target = dir.join("out");
        let s = Staging::new(&target).unwrap();
        s.write("a.txt", |w| w.write_all(b"first")).unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "first");
        // A second run that fails part-way (dropped before commit) changes nothing.
        let s = Staging::new(&target).unwrap();
        s.write("a.txt", |w| w.write_all(b"second")).unwrap();
        drop(s);
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "first");
        // A successful one replaces the whole directory.
        let s = Staging::new(&target).unwrap();
        s.write("b.txt", |w| w.write_all(b"third")).unwrap();
        s.commit().unwrap();
        assert!(!target.join("a.txt").exists());
        assert_eq!(fs::read_to_string(target.join("b.txt")).unwrap(), "third");
        let leftovers: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging directories left behind");
        fs::remove_dir_all(&dir).unwrap();
    }
}
