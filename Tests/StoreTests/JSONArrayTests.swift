import Foundation
import Testing

@testable import Store

/// The JSON array the SQLite search hands `json_each` reads back as the strings it was made of.
@Suite struct JSONArrayTests {
    @Test(arguments: [[], ["ep-1"], ["a\"b", "c\\d", "line\nbreak\u{1}", "Renée ✓"]])
    func readsBackAsTheSameStrings(_ values: [String]) throws {
        let json = SQLiteConnection.jsonArray(values)
        let decoded = try JSONDecoder().decode([String].self, from: Data(json.utf8))
        #expect(decoded == values, "\(json)")
    }
}
