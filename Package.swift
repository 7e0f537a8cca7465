// swift-tools-version:6.2
import PackageDescription

// Every Swift target: Swift 6 language mode, warnings as errors, the upcoming features STYLE.md §8 asks for.
let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Tandem",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tandem", targets: ["tandem"]),
        .executable(name: "tandem-bench", targets: ["TandemBench"]),
        .library(name: "FHIRCore", targets: ["FHIRCore"]),
        .library(name: "CoManagement", targets: ["CoManagement"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
    ],
    targets: [
        // C shim: libxml2 (see Sources/CLibXML2/shim.h for the ICU clash and xmlFree).
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // C shim: libcurl (typed wrappers for the variadic setopt/getinfo calls; see Sources/CCurl/shim.h).
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // C shim: zlib, for gzip and deflate bodies (see Sources/CZlib/shim.h).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // FHIR core: element tree, R4 metadata, JSON and XML codecs, validation. Pure.
        .target(
            name: "FHIRCore",
            dependencies: ["CLibXML2"],
            swiftSettings: strict
        ),
        // Co-management: the shared episode model, Mappings, FHIRPath, normalisation. Pure.
        .target(
            name: "CoManagement",
            dependencies: ["FHIRCore"],
            swiftSettings: strict
        ),
        // C shim: the system SQLite (see Sources/CSQLite3/shim.h). Not `CSQLite`: other packages use that
        // module name and the modules would collide.
        .systemLibrary(
            name: "CSQLite3",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Store: the Store protocol, its embedded SQLite implementation (group commit, migrations) and the
        // PostgreSQL one for several gateway replicas on one database.
        .target(
            name: "Store",
            dependencies: [
                "FHIRCore",
                "CoManagement",
                "CSQLite3",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Delivery: partners, routing, notifications, signing, the delivery state machine, libcurl transport;
        // the store's outbox planning and the forwarder's queue over the store's outbox.
        .target(
            name: "Delivery",
            dependencies: [
                "Store",
                "FHIRCore",
                "CoManagement",
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Server: the FHIR REST edge (Hummingbird): negotiation, limits, sender auth, OperationOutcomes.
        .target(
            name: "Server",
            dependencies: [
                "Store",
                "CZlib",
                "CoManagement",
                "FHIRCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                // PBKDF2 for the console's operator passwords.
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The sink's logic: a partner endpoint for tests, demos and the delivery benchmark (`tandem sink`).
        .target(
            name: "Sink",
            dependencies: [
                "Delivery",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Composition root and CLI.
        .executableTarget(
            name: "tandem",
            dependencies: [
                "FHIRCore",
                "CoManagement",
                "Store",
                "Server",
                "Delivery",
                "Sink",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Benchmarks (`tandem-bench`), apart from the gateway as Hummingbird keeps its performance tests
        // apart; the raw libxml2 and libcurl floors call the C shims directly.
        .executableTarget(
            name: "TandemBench",
            dependencies: [
                "FHIRCore",
                "CoManagement",
                "Store",
                "Delivery",
                "Sink",
                "CLibXML2",
                "CCurl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FHIRCoreTests",
            dependencies: ["FHIRCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CoManagementTests",
            dependencies: ["CoManagement", "FHIRCore"],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DeliveryTests",
            dependencies: [
                "Delivery",
                "Store",
                "Sink",  // the partner's side of a signed request
                "FHIRCore",
                "CoManagement",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SinkTests",
            dependencies: ["Sink", "Delivery"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TandemBenchTests",
            dependencies: ["TandemBench"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TandemCLITests",
            dependencies: [
                "tandem",
                "Server",
                "Store",
                "Delivery",
                "CoManagement",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server",
                "Store",
                "CoManagement",
                "FHIRCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "Store",
                "CoManagement",
                "FHIRCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
