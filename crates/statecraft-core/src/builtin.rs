//! Built-in scenarios embedded in the binary (the Greenland 2026 default).
