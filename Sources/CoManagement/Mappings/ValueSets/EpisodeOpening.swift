/// What a trigger match lets a referral do: open an episode of its service line, or only join the
/// patient's open episode of that line.
///
/// ICD-10-CM injury and some musculoskeletal codes carry the encounter in their 7th character: `A`, `B`
/// and `C` are initial encounters (active treatment), which may open an episode; `D` to `R` are
/// subsequent encounters (healing, delayed healing, nonunion, malunion) and `S` is a sequela, which
/// continue a course of care already under way and so never open a new one. Every other match opens.
public enum EpisodeOpening: String, Sendable, Hashable, Comparable {
    /// The match may open an episode.
    case opens
    /// The match joins the patient's open episode of the service line and never opens one.
    case joinsOpenEpisode = "joins-open-episode"

    /// The opening a code of `system` allows; `code` is in ``TriggerCodeSystem/normalised(_:)`` form.
    public static func of(_ code: String, in system: TriggerCodeSystem?) -> EpisodeOpening {
        guard system == .icd10CM, code.utf8.count == 7, let seventh = code.last else { return .opens }
        return "DEFGHJKMNPQRS".contains(seventh) ? .joinsOpenEpisode : .opens
    }

    /// `opens` sorts first: of several matches, the most permissive comes first.
    public static func < (lhs: EpisodeOpening, rhs: EpisodeOpening) -> Bool {
        lhs == .opens && rhs == .joinsOpenEpisode
    }
}
