// End-to-end tests build Linux network namespaces and run QEMU: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Each test class owns its namespace, server and VMs, so classes run side by side (xunit's default: one per core);
// the firmware class boots its three VMs concurrently too. See docs/e2e.md for how many VMs that is and what it costs.
