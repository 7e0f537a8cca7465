import Foundation
import Testing

@testable import Delivery

@Suite struct RetryAfterTests {
    // 1994-11-06T08:49:37Z, RFC 9110's example.
    let example = Date(timeIntervalSince1970: 784_111_777)

    @Test func delaySecondsParse() {
        #expect(RetryAfter(headerValue: "120") == .delay(.seconds(120)))
        #expect(RetryAfter(headerValue: " 0 ") == .delay(.zero))
    }

    @Test(arguments: ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"])
    func httpDateFormsParse(text: String) {
        #expect(RetryAfter(headerValue: text) == .date(self.example))
    }

    @Test(arguments: [
        "", "-5", "1.5", "soon", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "99999999999999999999999",
    ])
    func malformedValuesAreNil(text: String) {
        #expect(RetryAfter(headerValue: text) == nil)
    }

    @Test func delayFromNow() {
        #expect(RetryAfter.date(self.example).delay(from: self.example.addingTimeInterval(-10)) == .seconds(10))
        #expect(RetryAfter.date(self.example).delay(from: self.example.addingTimeInterval(10)) == .zero)
        #expect(RetryAfter.delay(.seconds(5)).delay(from: self.example) == .seconds(5))
    }
}
