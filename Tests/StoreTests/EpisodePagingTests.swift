import CoManagement
import Foundation
import Testing

@testable import Store

/// `EpisodeQuery.afterID` pages through every episode in id order (what the measures read page by page).
@Suite struct EpisodePagingTests {
    @Test(arguments: Backend.allCases)
    func pagesCoverEveryEpisodeOnceInIDOrder(_ backend: Backend) async throws {
        try await withRunningStore(backend, normaliser: try SampleMessages.normaliser()) { store in
            for patient in 0..<5 {
                _ = try await store.ingest(
                    PartitionMessages.referral(patient: "p\(patient)", referral: "sr-\(patient)")
                )
            }
            let all = try await store.episodes(EpisodeQuery(limit: 100)).map(\.id).sorted()
            #expect(all.count == 5)
            var paged: [String] = []
            var after = ""
            while true {
                let page = try await store.episodes(EpisodeQuery(limit: 2, afterID: after)).map(\.id)
                #expect(page == page.sorted() && page.count <= 2)
                paged += page
                guard page.count == 2, let last = page.last else { break }
                after = last
            }
            #expect(paged == all)
            let other = try await store.episodes(EpisodeQuery(serviceLine: "cardiology.service-line", afterID: ""))
            #expect(other.isEmpty)
        }
    }
}
