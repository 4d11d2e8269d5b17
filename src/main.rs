//! The `precept` binary: everything happens in [`precept::cli`].

fn main() -> std::process::ExitCode {
    precept::cli::main()
}
