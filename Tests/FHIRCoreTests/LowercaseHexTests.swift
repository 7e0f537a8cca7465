import Testing

@testable import FHIRCore

@Suite struct LowercaseHexTests {
    @Test func eachByteIsTwoLowercaseDigits() {
        #expect(LowercaseHex.string([0x00, 0x0F, 0xA0, 0xFF, 0x7B]) == "000fa0ff7b")
        #expect(LowercaseHex.string([UInt8]()) == "")
        #expect(LowercaseHex.string([UInt8](repeating: 0x01, count: 32)).count == 64)
    }
}
