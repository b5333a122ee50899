// swift-tools-version:6.0
// vnet: VNet-native container networking. Layers, from the bottom up:
//   C system libraries (one target per library) -> VNetModel (pure values) -> adapters
//   (VNetSystem, VNetState, VNetPools, VNetNetlink, VNetNAT) -> VNetIPAM / VNetOperations -> front ends.
import PackageDescription

let package = Package(
    name: "vnet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vnet", targets: ["vnet"]),
        .executable(name: "vnet-ipam", targets: ["vnet-ipam"]),
        .executable(name: "vnetctl", targets: ["vnetctl"]),
        .executable(name: "vnet-console", targets: ["vnet-console"]),
        .executable(name: "vnetd", targets: ["vnetd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The VNet registry's transport (etcd's JSON gateway); linked by vnetd, vnetctl and the console only.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.100.0"),
    ],
    targets: [
        // C libraries, each behind its own module map with static-inline helpers for macros.
        .systemLibrary(name: "CMnl", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(name: "CNftables", providers: [.apt(["libnftables-dev", "libnftables1"])]),
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),

        // Pure values: no I/O.
        .target(name: "VNetModel"),

        // Adapters.
        // setns and the namespace-file checks are GNU-only or macros: a header of static-inline helpers.
        .systemLibrary(name: "CVNetSystem"),
        .target(name: "VNetSystem", dependencies: ["VNetModel", "CVNetSystem"]),
        .target(name: "VNetState", dependencies: ["VNetModel", "VNetSystem", "CVNetSystem"]),
        .target(name: "VNetPools", dependencies: ["VNetModel", "VNetSystem"]),
        .target(name: "VNetNetlink", dependencies: ["VNetModel", "VNetSystem", "CMnl"]),
        .target(name: "VNetNAT", dependencies: ["VNetModel", "VNetSystem", "CNftables", "CMnl"]),

        // The VNet registry: etcd v3 over its JSON gateway. Never a dependency of the CNI plugins (every pod
        // would pay NIO's start).
        .target(name: "VNetRegistry", dependencies: [
            "VNetModel", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),

        // Operations on the VNet (the registry) and the node agent's work: vnetd, vnetctl and the console.
        .target(name: "VNetAgent", dependencies: [
            "VNetModel", "VNetRegistry", "VNetOperations", "VNetIPAM", "VNetState", "VNetSystem",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),

        // Operations: the only code that changes a node.
        .target(name: "VNetIPAM", dependencies: ["VNetModel", "VNetSystem", "VNetState", "VNetPools"]),
        .target(name: "VNetOperations",
                dependencies: ["VNetModel", "VNetSystem", "VNetState", "VNetIPAM", "VNetPools", "VNetNetlink", "VNetNAT"]),

        // Front ends.
        .target(name: "CNI", dependencies: ["VNetModel", "VNetSystem"]),
        // The vnet-ipam plugin as a library: its main, and vnet's in-process IPAM, run the same code.
        .target(name: "IPAMCNI", dependencies: ["CNI", "VNetIPAM", "VNetState", "VNetSystem", "VNetModel"]),
        .executableTarget(name: "vnet-ipam", dependencies: ["IPAMCNI"]),
        .executableTarget(name: "vnet", dependencies: ["CNI", "IPAMCNI", "VNetOperations", "VNetIPAM", "VNetModel"]),
        .executableTarget(name: "vnetctl", dependencies: [
            "VNetOperations", "VNetIPAM", "VNetModel", "CNI", "VNetAgent",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "vnetd", dependencies: [
            "VNetAgent", "VNetModel", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "VNetConsole", dependencies: ["VNetModel", "CNcursesw"]),
        .executableTarget(name: "vnet-console", dependencies: [
            "VNetConsole", "VNetOperations", "VNetModel", "CNI", "VNetAgent",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests, one target per layer.
        .testTarget(name: "VNetModelTests", dependencies: ["VNetModel"]),
        .testTarget(name: "VNetStateTests", dependencies: ["VNetState", "VNetIPAM", "VNetPools"]),
        .testTarget(name: "CNITests", dependencies: ["CNI", "IPAMCNI"]),
        .testTarget(name: "VNetPoolsTests", dependencies: ["VNetPools"]),
        // Test helpers shared by the kernel test targets (running `ip` and `nft` to build and inspect).
        .target(name: "VNetTestSupport", path: "Tests/VNetTestSupport"),
        .testTarget(name: "VNetNetlinkTests", dependencies: ["VNetNetlink", "VNetSystem", "VNetTestSupport"]),
        .testTarget(name: "VNetNATTests", dependencies: ["VNetNAT", "VNetSystem", "VNetTestSupport"]),
        .testTarget(name: "VNetOperationsTests", dependencies: ["VNetOperations", "VNetIPAM", "VNetPools", "VNetState"]),
        .testTarget(name: "VNetConsoleTests", dependencies: ["VNetConsole"], exclude: ["Golden"]),
        .testTarget(name: "VNetRegistryTests", dependencies: ["VNetRegistry", "VNetAgent", "VNetModel"]),
    ],
    swiftLanguageModes: [.v6]
)
