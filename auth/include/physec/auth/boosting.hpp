#pragma once
/// @file GBDT, RGBO and IGBO on the XGBoost C API, all three driven by our own per-round gradients so that the
/// only differences between them are the ones the papers name.
///
/// Every round: margins F `[n, K]` of the current model on the training set -> p = softmax(F) -> gradients of
/// the multi-class cross-entropy g_ik = p_ik - [y_i = k] and a hessian h_ik -> (IGBO) GOSS sample weights ->
/// XGBoosterBoostOneIter, which grows one tree per class with split gain and leaf values from Σg, Σh
/// (Chen & Guestrin, KDD 2016, eqs. (5)-(7)): w* = -G / (H + λ), gain = ½[G_L²/(H_L+λ) + G_R²/(H_R+λ) -
/// G²/(H+λ)] - γ.
///
/// - GBDT (first-order gradient boosting, Friedman, Ann. Stat. 29(5), 2001): h ≡ 1, λ = 0, γ = 0. Each tree is
///   then a least-squares fit of the negative gradient (leaf value = mean residual y - p, split gain = reduction
///   of squared error), i.e. Friedman's gradient boosting with a first-order step. Plain `gbtree` with
///   `lambda = 0` would not be this: XGBoost's softmax objective still passes the true hessians, which makes
///   it a Newton (second-order) method. Hence the custom objective.
/// - RGBO (regularised gradient boosting, TII 20(2), 2024 as far as its abstract tells): second-order Taylor
///   expansion of the loss with the exact diagonal hessian h_ik = p_ik (1 - p_ik) (XGBoost's built-in softprob
///   uses 2 p (1 - p); we keep the exact one so that IGBO with a = 1 is RGBO bit for bit) and the L2 `lambda`
///   and per-leaf `gamma` regularisation.
/// - IGBO (improved gradient boosting, same paper): RGBO whose rounds see a GOSS sample (goss_weights): all
///   samples with the largest gradients are kept, a random share of the rest is kept with weight (1-a)/b, the
///   others get weight 0 (g = h = 0, so they do not influence the tree). Decisions fuse several observations of
///   one transmitter (fuse_observations).

#include <cstdint>
#include <string>
#include <vector>

#include "physec/auth/classifier.hpp"
#include "physec/core/rng.hpp"

namespace physec::auth {

/// Which of the three boosting schemes a boosted_trees instance runs.
enum class boost_scheme { gbdt, rgbo, igbo };

/// Boosted trees on XGBoost (see the file comment for what each scheme computes).
class boosted_trees final : public classifier {
 public:
  /// GBDT: `cfg` only (λ = γ = 0, h ≡ 1).
  boosted_trees(const boost_config& cfg, std::uint64_t seed);
  /// RGBO.
  boosted_trees(const rgbo_config& cfg, std::uint64_t seed);
  /// IGBO (its fuse_window is for the caller: see fuse_observations).
  boosted_trees(const igbo_config& cfg, std::uint64_t seed);
  ~boosted_trees() override;
  boosted_trees(const boosted_trees&) = delete;
  boosted_trees& operator=(const boosted_trees&) = delete;

  void fit(const ndarray<float>& x, const std::vector<int>& y, const labelled_data* validation = nullptr) override;
  ndarray<double> predict_proba(const ndarray<float>& x) const override;
  std::string name() const override;

  /// Rounds kept after fit (fewer than nof_rounds when early stopping triggered).
  int nof_rounds_used() const { return rounds_used_; }

 private:
  /// Raw margins `[n, K]` of the first `rounds` rounds on a DMatrix.
  std::vector<float> margins(void* dmatrix, int rounds, bool training) const;
  /// Raw margins `[n, K]` of rounds `begin .. end-1` (base score 0, so range margins add up).
  std::vector<float> margins_range(void* dmatrix, int begin, int end, bool training) const;

  boost_scheme scheme_;
  igbo_config cfg_;  ///< the widest config; unused fields are neutral for gbdt / rgbo
  std::uint64_t seed_;
  void* booster_ = nullptr;  ///< BoosterHandle
  int rounds_used_ = 0;
};

/// GOSS sample weights (Ke et al., "LightGBM", NeurIPS 2017, Algorithm 2) for one round.
/// `magnitude` `[n]`: IGBO passes Σ_k |g_ik|, the gradient size the GOSS paper ranks by, summed over the K
/// class outputs (LightGBM's code ranks by Σ_k |g_ik h_ik| instead; we follow the paper). Unlike LightGBM we
/// sample from the first round on (it skips GOSS for the first 1/eta rounds). The floor(top_rate·n) samples of largest magnitude (ties to the lower
/// index) get weight 1; floor(other_rate·n) of the others (at most all of them), drawn uniformly without
/// replacement from `rng`, get weight (1 - top_rate) / other_rate; the rest get 0. Returns `[n]`.
/// top_rate in (0, 1], other_rate in [0, 1]; top_rate = 1 keeps everything with weight 1.
std::vector<float> goss_weights(const std::vector<double>& magnitude, double top_rate, double other_rate,
                                rng_stream& rng);

/// Multi-observation fusion (IGBO's "multiple observations fused per decision"): the probabilities of
/// consecutive rows with the same `group` (e.g. one transmitter's sequence) are averaged over non-overlapping
/// windows of `window` rows; a group's last window may be shorter. Rows of one group must be contiguous.
/// `proba` `[n, K]`, `group` `[n]` -> `fused.proba` `[nof_windows, K]`, `fused.first_row` `[nof_windows]` (the
/// first row of each window, to look up its label).
struct fused_decisions {
  ndarray<double> proba;                ///< fused probabilities `[nof_windows, K]`
  std::vector<std::size_t> first_row;   ///< first input row of each window `[nof_windows]`
};
fused_decisions fuse_observations(const ndarray<double>& proba, const std::vector<std::size_t>& group,
                                  std::size_t window);

}  // namespace physec::auth
