// Lab tests build Linux network namespaces and run Debian's DHCP peers: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
