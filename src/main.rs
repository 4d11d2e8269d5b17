//! The `precept` binary: everything happens in [`precept::cli`].

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    precept::cli::main()
}
