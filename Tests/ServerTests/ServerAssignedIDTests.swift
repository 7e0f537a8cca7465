import FHIRCore
import Foundation
import Testing

@testable import Server

@Suite struct ServerAssignedIDTests {
    @Test func idsAreVersion7UUIDsThatAreValidFHIRIds() throws {
        let id = ServerAssignedID.make()
        let parts = id.split(separator: "-").map(\.count)
        #expect(parts == [8, 4, 4, 4, 12])
        #expect(id == id.lowercased())
        #expect(UUID(uuidString: id) != nil)
        #expect(Array(id)[14] == "7", "the version nibble")
        #expect("89ab".contains(Array(id)[19]), "the RFC 9562 variant")
        #expect(id.utf8.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
    }

    @Test func theyCarryTheirMillisecondAndSortInTheOrderAssigned() {
        var generator = SystemRandomNumberGenerator()
        let milliseconds: UInt64 = 1_795_000_000_123
        let id = ServerAssignedID.make(milliseconds: milliseconds, using: &generator)
        let prefix = id.replacingOccurrences(of: "-", with: "").prefix(12)
        #expect(UInt64(prefix, radix: 16) == milliseconds)

        let ids = (0..<200).map { ServerAssignedID.make(milliseconds: milliseconds + UInt64($0), using: &generator) }
        #expect(ids.sorted() == ids)
        #expect(Set(ids).count == ids.count)
    }

    @Test func idsAssignedInOneMillisecondStillDiffer() {
        var generator = SystemRandomNumberGenerator()
        let ids = (0..<1000).map { _ in ServerAssignedID.make(milliseconds: 42, using: &generator) }
        #expect(Set(ids).count == 1000)
    }

    @Test func derivedIdsAreStableVersion8UUIDsPerSenderTypeAndId() {
        let id = ServerAssignedID.derived(sender: "lakeside", type: "Patient", senderID: "p1")
        #expect(id == ServerAssignedID.derived(sender: "lakeside", type: "Patient", senderID: "p1"))
        #expect(UUID(uuidString: id) != nil && id == id.lowercased())
        #expect(Array(id)[14] == "8", "the version nibble")
        #expect("89ab".contains(Array(id)[19]), "the RFC 9562 variant")
        let others = [
            ServerAssignedID.derived(sender: "larkspur", type: "Patient", senderID: "p1"),
            ServerAssignedID.derived(sender: "lakeside", type: "Practitioner", senderID: "p1"),
            ServerAssignedID.derived(sender: "lakeside", type: "Patient", senderID: "p2"),
            // The separator keeps "a"+"bPatient" apart from "ab"+"Patient".
            ServerAssignedID.derived(sender: "lakesid", type: "ePatient", senderID: "p1"),
        ]
        #expect(Set(others + [id]).count == 5)
    }
}
