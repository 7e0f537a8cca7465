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
        .library(name: "FHIRCore", targets: ["FHIRCore"]),
        .library(name: "CoManagement", targets: ["CoManagement"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // C shim: libxml2 (see Sources/CLibXML2/shim.h for the ICU clash and xmlFree).
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
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
        // Composition root and CLI.
        .executableTarget(
            name: "tandem",
            dependencies: [
                "FHIRCore",
                "CoManagement",
                "CLibXML2",  // only for the raw libxml2 floor in `tandem bench codec`
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
            name: "TandemCLITests",
            dependencies: ["tandem"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
