#include "service/assessments.h"

#include <algorithm>

namespace tousu {

StatusOr<std::vector<EvidenceRecord>> GatherEvidence(ReadTx& tx, std::string_view platform,
                                                     std::string_view complaint_id) {
  return tx.ListEvidence(platform, complaint_id);
}

StatusOr<AssessmentFacts> GatherFacts(ReadTx& tx, const Policy& policy, const Order& order,
                                      std::string_view complaint_id, const FilingFacts& filing,
                                      const std::optional<Decision>& decision) {
  AssessmentFacts f;
  f.order = order;
  f.complaint_id = std::string(complaint_id);
  f.merchant_ref = order.merchant_ref;
  f.filing = filing;
  f.decision = decision;
  const std::string& platform = order.platform_id;

  IncidentFilter incidents;
  incidents.overlaps_from = filing.incident_at;
  incidents.overlaps_to = filing.incident_ends_at.value_or(filing.incident_at);
  incidents.limit = kMaxIncidentsPerAssessment;
  TOUSU_ASSIGN_OR_RETURN(f.incidents, tx.ListIncidents(platform, incidents));
  // Oldest first, so that explanations read in time order.
  std::sort(f.incidents.begin(), f.incidents.end(),
            [](const Incident& a, const Incident& b) { return a.starts_at != b.starts_at ? a.starts_at < b.starts_at : a.id < b.id; });

  const auto& cats = policy.responsibility.interruption_categories;
  if (std::find(cats.begin(), cats.end(), filing.category) != cats.end()) {
    const Duration w = policy.responsibility.similar_window;
    const int k = policy.responsibility.similar_count;
    // The nearest k on each side of the incident: bounded index range scans, however many
    // complaints the window holds (a complaint storm holds thousands).
    auto nearest = [&](const std::string& merchant, std::vector<Instant>* out, bool* at_least) -> Status {
      SimilarQuery before{filing.category, merchant, filing.incident_at - w, filing.incident_at,
                          std::string(complaint_id), k, /*newest_first=*/true};
      SimilarQuery after{filing.category, merchant, filing.incident_at + seconds(1), filing.incident_at + w,
                         std::string(complaint_id), k};
      for (const SimilarQuery& q : {before, after}) {
        TOUSU_ASSIGN_OR_RETURN(auto found, tx.ListSimilarComplaints(platform, q));
        if (static_cast<int>(found.size()) == k) *at_least = true;
        for (const auto& s : found) out->push_back(s.incident_at);
      }
      return Status::Ok();
    };
    TOUSU_RETURN_IF_ERROR(nearest("", &f.similar.same_platform, &f.similar.platform_at_least));
    TOUSU_RETURN_IF_ERROR(nearest(order.merchant_ref, &f.similar.same_merchant, &f.similar.merchant_at_least));
  }

  if (!complaint_id.empty()) {
    TOUSU_ASSIGN_OR_RETURN(f.evidence, GatherEvidence(tx, platform, complaint_id));
  }
  TOUSU_ASSIGN_OR_RETURN(auto merchant, tx.GetMerchant(platform, order.merchant_ref));
  if (merchant) f.merchant_terms = merchant->terms;
  TOUSU_ASSIGN_OR_RETURN(auto platform_terms, tx.GetPlatformTerms(platform));
  if (platform_terms) f.platform_terms = platform_terms->first;
  return f;
}

}  // namespace tousu
