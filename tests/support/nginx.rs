//! The static host of the cross-origin deployment: Debian's nginx serving a copy of the
//! built console with a `config.json` that names the Rewind server (`api_base`), and the
//! security headers `rewind headers` prints, on a free loopback port.

use super::{DEADLINE, Group, env_path};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

pub struct StaticHost {
    pub url: String,
    pub dir: PathBuf,
    _nginx: Group,
}

impl Drop for StaticHost {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Copies `from` into `to` (the built console: a flat folder plus `snippets/`).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl StaticHost {
    /// Serves the console on `port`, calling the Rewind server at `api_base`.
    pub fn start(port: u16, api_base: &str) -> StaticHost {
        let dir = std::env::temp_dir().join(format!("rewind-static-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let root = dir.join("www");
        copy_dir(&env_path("REWIND_DIST"), &root);
        std::fs::write(
            root.join("config.json"),
            serde_json::json!({ "api_base": api_base }).to_string(),
        )
        .unwrap();
        let headers = Command::new(env_path("REWIND_BIN"))
            .args(["headers", "--dist"])
            .arg(&root)
            .args(["--api-base", api_base])
            .output()
            .expect("rewind headers");
        assert!(
            headers.status.success(),
            "rewind headers: {}",
            String::from_utf8_lossy(&headers.stderr)
        );
        let headers = String::from_utf8(headers.stdout).unwrap();
        let conf = format!(
            "daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
{headers}
        location / {{
            try_files $uri /index.html;
        }}
        location ^~ /pkg- {{
            try_files $uri =404;
            expires max;
        }}
    }}
}}
",
            dir = dir.display(),
            root = root.display(),
            headers = headers
                .lines()
                .map(|l| format!("        {l}\n"))
                .collect::<String>(),
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let nginx = std::env::var("REWIND_NGINX").unwrap_or_else(|_| "/usr/sbin/nginx".into());
        let child = Command::new(&nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {nginx} (apt-get install nginx): {e}"));
        let group = Group(child);
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < DEADLINE,
                "nginx did not listen on {port}: {}",
                std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        StaticHost {
            url: format!("http://127.0.0.1:{port}/"),
            dir,
            _nginx: group,
        }
    }

    /// How many requests for `path` nginx has logged.
    pub fn requests_to(&self, path: &str) -> usize {
        let log = std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default();
        log.lines()
            .filter(|l| l.contains(&format!(" {path} HTTP/")))
            .count()
    }
}
