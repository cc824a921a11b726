// End-to-end tests build Linux network namespaces and run QEMU: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Each test class boots its own VMs under TCG on a shared 2-core machine: one class at a time, its VMs concurrently.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
