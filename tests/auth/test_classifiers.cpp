// Unit tests of the seven baselines: a separable problem each must solve, hand-computable cases, errors,
// determinism, GOSS sampling and the hyperparameter grids.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "physec/auth/baselines.hpp"
#include "physec/auth/boosting.hpp"
#include "physec/auth/evaluate.hpp"
#include "physec/auth/metrics.hpp"
#include "physec/auth/selection.hpp"
#include "physec/core/error.hpp"

namespace pa = physec::auth;

namespace {

physec::ndarray<float> matrix(std::size_t cols, std::vector<float> v) {
  const std::size_t rows = v.size() / cols;
  return physec::ndarray<float>({rows, cols}, std::move(v));
}

// Three well-separated 2-D clusters of six points each (typed by hand) around (0,0), (10,0) and (0,10).
const physec::ndarray<float> separable_x = matrix(2, {0.0f, 0.0f,  1.0f, 0.5f,  -0.5f, 1.0f,  0.5f, -1.0f,
                                                      -1.0f, -0.5f, 0.8f, 0.9f,                           //
                                                      10.0f, 0.0f, 11.0f, 0.5f, 9.5f, 1.0f, 10.5f, -1.0f, //
                                                      9.0f, -0.5f, 10.8f, 0.9f,                           //
                                                      0.0f, 10.0f, 1.0f, 10.5f, -0.5f, 11.0f, 0.5f, 9.0f, //
                                                      -1.0f, 9.5f, 0.8f, 10.9f});
const std::vector<int> separable_y = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2};
// Unseen points, one per cluster, plus one more per cluster near its edge.
const physec::ndarray<float> separable_test_x =
    matrix(2, {0.3f, 0.2f, 9.7f, 0.3f, 0.2f, 9.8f, 1.5f, 1.5f, 11.5f, -1.5f, -1.5f, 11.5f});
const std::vector<int> separable_test_y = {0, 1, 2, 0, 1, 2};

// Tiny data: let boosted trees split leaves of a few samples (hessians p(1-p) sum below the default of 1).
pa::classifier_config tiny_data_config() {
  pa::classifier_config cfg;
  for (pa::boost_config* b : {static_cast<pa::boost_config*>(&cfg.gbdt), static_cast<pa::boost_config*>(&cfg.rgbo),
                              static_cast<pa::boost_config*>(&cfg.igbo)}) {
    b->min_child_weight = 0.0;
    b->nof_rounds = 30;
  }
  cfg.igbo.top_rate = 0.5;
  cfg.igbo.other_rate = 0.3;
  cfg.wv.validation_fraction = 0.3;
  return cfg;
}

class every_classifier : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(every_classifier, solves_a_separable_problem_typed_into_the_test) {
  auto model = pa::make_classifier(GetParam(), tiny_data_config());
  EXPECT_EQ(model->name(), GetParam());
  model->fit(separable_x, separable_y);
  EXPECT_EQ(model->nof_classes(), 3u);
  EXPECT_EQ(model->nof_features(), 2u);
  EXPECT_EQ(model->predict(separable_x), separable_y);
  EXPECT_EQ(model->predict(separable_test_x), separable_test_y);
  const auto p = model->predict_proba(separable_test_x);
  ASSERT_EQ(p.shape, (physec::shape_t{6, 3}));
  for (std::size_t i = 0; i < 6; ++i) EXPECT_NEAR(p(i, 0) + p(i, 1) + p(i, 2), 1.0, 1e-9) << "row " << i;
}

TEST_P(every_classifier, names_the_feature_count_when_predict_gets_the_wrong_width) {
  auto model = pa::make_classifier(GetParam(), tiny_data_config());
  EXPECT_THROW(model->predict(separable_x), physec::error);  // before fit
  model->fit(separable_x, separable_y);
  try {
    model->predict(matrix(3, {1, 2, 3}));
    FAIL() << "no error";
  } catch (const physec::error& e) {
    EXPECT_EQ(e.where().field, "x");
    EXPECT_EQ(e.expected(), "2 features");
    EXPECT_EQ(e.found(), "3");
  }
}

TEST_P(every_classifier, is_deterministic_for_a_seed) {
  const auto cfg = tiny_data_config();
  auto a = pa::make_classifier(GetParam(), cfg), b = pa::make_classifier(GetParam(), cfg);
  a->fit(separable_x, separable_y);
  b->fit(separable_x, separable_y);
  EXPECT_EQ(a->predict_proba(separable_test_x).data, b->predict_proba(separable_test_x).data);
}

INSTANTIATE_TEST_SUITE_P(auth, every_classifier, ::testing::ValuesIn(pa::classifier_names()),
                         [](const auto& info) { return info.param; });

TEST(auth_factory, rejects_an_unknown_name_and_bad_config_fields) {
  try {
    pa::make_classifier("igb0", {});
    FAIL() << "no error";
  } catch (const physec::error& e) {
    EXPECT_EQ(e.where().field, "model");
    EXPECT_EQ(e.found(), "igb0");
    EXPECT_NE(std::string(e.what()).find("did you mean igbo"), std::string::npos) << e.what();
  }
  pa::classifier_config cfg;
  cfg.knn.k = 0;
  try {
    pa::make_classifier("knn", cfg);
    FAIL() << "no error";
  } catch (const physec::error& e) {
    EXPECT_EQ(e.where().field, "knn.k");
  }
  cfg = {};
  cfg.igbo.top_rate = 0.8;
  cfg.igbo.other_rate = 0.3;
  try {
    pa::make_classifier("igbo", cfg);
    FAIL() << "no error";
  } catch (const physec::error& e) {
    EXPECT_EQ(e.where().field, "igbo.other_rate");
  }
}

TEST(auth_fit, rejects_mismatched_and_negative_labels) {
  pa::gaussian_nb nb;
  try {
    nb.fit(separable_x, {0, 1});
    FAIL() << "no error";
  } catch (const physec::error& e) {
    EXPECT_EQ(e.where().field, "y");
    EXPECT_EQ(e.expected(), "18 labels");
  }
  std::vector<int> y = separable_y;
  y[4] = -1;
  try {
    nb.fit(separable_x, y);
    FAIL() << "no error";
  } catch (const physec::error& e) {
    EXPECT_EQ(e.where().index, std::optional<std::size_t>(4));
  }
}

// Two 1-D classes. Class 0 = {-2, 0}: mean -1, population variance ((-1)² + 1²)/2 = 1. Class 1 = {-1, 3}: mean 1,
// variance (2² + 2²)/2 = 4. Priors 1/2 each. At x = 1:
//   log N(1; 1, 4) - log N(1; -1, 1) = [-½ log 4 - 0/8] - [-(2)²/2] = -ln 2 + 2
//   P(1 | x=1) = 1 / (1 + exp(ln 2 - 2)) = 1 / (1 + 2 e^-2) = 0.786986...
// At x = -1: log N(-1; 1, 4) - log N(-1; -1, 1) = -ln 2 - 4/8 - 0 = -ln 2 - ½, P(1 | x=-1) = 1 / (1 + 2 e^{½}).
TEST(gaussian_nb, posterior_of_two_gaussians_matches_the_hand_computation) {
  pa::nb_config cfg;
  cfg.var_smoothing = 0.0;
  pa::gaussian_nb nb(cfg);
  nb.fit(matrix(1, {-2.0f, 0.0f, -1.0f, 3.0f}), {0, 0, 1, 1});
  EXPECT_DOUBLE_EQ(nb.means()(0, 0), -1.0);
  EXPECT_DOUBLE_EQ(nb.means()(1, 0), 1.0);
  EXPECT_DOUBLE_EQ(nb.variances()(0, 0), 1.0);
  EXPECT_DOUBLE_EQ(nb.variances()(1, 0), 4.0);
  const auto p = nb.predict_proba(matrix(1, {1.0f, -1.0f}));
  EXPECT_NEAR(p(0, 1), 1.0 / (1.0 + 2.0 * std::exp(-2.0)), 1e-12);
  EXPECT_NEAR(p(0, 1), 0.7869860421615985, 1e-12);
  EXPECT_NEAR(p(1, 1), 1.0 / (1.0 + 2.0 * std::exp(0.5)), 1e-12);
  EXPECT_NEAR(p(0, 0) + p(0, 1), 1.0, 1e-15);
}

TEST(gaussian_nb, stays_finite_without_smoothing_and_with_absent_labels) {
  pa::nb_config cfg;
  cfg.var_smoothing = 0.0;
  pa::gaussian_nb nb(cfg);
  // Class 0 is constant (variance 0); label 1 never occurs; class 2 = {0, 2}.
  nb.fit(matrix(1, {1.0f, 1.0f, 0.0f, 2.0f}), {0, 0, 2, 2});
  const auto p = nb.predict_proba(matrix(1, {1.0f, 2.0f}));
  for (double v : p.data) EXPECT_TRUE(std::isfinite(v));
  EXPECT_DOUBLE_EQ(p(0, 0), 1.0);
  EXPECT_DOUBLE_EQ(p(1, 2), 1.0);
  EXPECT_DOUBLE_EQ(p(0, 1) + p(1, 1), 0.0);
}

// Four 1-D training points 0 (class 0), 1 (class 0), 3 (class 1), 10 (class 1); k = 3, raw distances.
// Query 2: distances 2, 1, 1, 8 -> neighbours {1, 3, 0} -> votes class 0: 2, class 1: 1.
// Query 6: distances 6, 5, 3, 4 -> neighbours {3, 10, 1} -> votes class 0: 1, class 1: 2.
TEST(knn, votes_of_three_neighbours_among_four_points) {
  pa::knn_config cfg;
  cfg.k = 3;
  cfg.standardise = false;
  pa::knn model(cfg);
  model.fit(matrix(1, {0.0f, 1.0f, 3.0f, 10.0f}), {0, 0, 1, 1});
  const auto p = model.predict_proba(matrix(1, {2.0f, 6.0f}));
  EXPECT_DOUBLE_EQ(p(0, 0), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(p(0, 1), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(p(1, 0), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(p(1, 1), 2.0 / 3.0);
  EXPECT_EQ(model.predict(matrix(1, {2.0f, 6.0f})), (std::vector<int>{0, 1}));
}

// Feature 0 separates {1, 2, 3} (class 0) from {6, 7} (class 1): root split at the midpoint 4.5 and two pure
// leaves. Feature 1 (values 5, 1, 4, 2, 3) cannot separate the classes, so it must not be chosen.
TEST(decision_tree, splits_at_the_midpoint_of_the_separating_gap) {
  pa::decision_tree tree;
  tree.fit(matrix(2, {1, 5, 2, 1, 3, 4, 6, 2, 7, 3}), {0, 0, 0, 1, 1});
  const auto& n = tree.nodes();
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0].feature, 0);
  EXPECT_FLOAT_EQ(n[0].threshold, 4.5f);
  EXPECT_EQ(n[n[0].left].proba, (std::vector<double>{1.0, 0.0}));
  EXPECT_EQ(n[n[0].right].proba, (std::vector<double>{0.0, 1.0}));
  EXPECT_EQ(n[0].proba, (std::vector<double>{0.6, 0.4}));
}

TEST(decision_tree, respects_max_depth_and_min_samples_leaf) {
  pa::dt_config cfg;
  cfg.max_depth = 1;
  pa::decision_tree stump(cfg);
  stump.fit(separable_x, separable_y);
  EXPECT_EQ(stump.nodes().size(), 3u);
  cfg = {};
  cfg.min_samples_leaf = 10;  // 18 samples: no split leaves both sides >= 10
  pa::decision_tree root_only(cfg);
  root_only.fit(separable_x, separable_y);
  EXPECT_EQ(root_only.nodes().size(), 1u);
}

// Weights: the voting weights are validation accuracies normalised to sum 1; a base at chance level gets 0.
TEST(weighted_voting, weights_are_normalised_validation_accuracies) {
  std::vector<std::unique_ptr<pa::classifier>> bases;
  bases.push_back(std::make_unique<pa::gaussian_nb>());
  pa::dt_config stump;
  stump.max_depth = 1;  // one split: at most two of the three clusters apart
  bases.push_back(std::make_unique<pa::decision_tree>(stump));
  pa::weighted_voting wv({}, std::move(bases), 7);
  const pa::labelled_data val{separable_test_x, separable_test_y};
  wv.fit(separable_x, separable_y, &val);
  ASSERT_EQ(wv.weights().size(), 2u);
  // NB: 6/6 right. The stump puts one cluster alone and merges two: 4/6 right (the merged leaf's majority
  // is a tie, resolved to the lower label, so exactly one of the two merged clusters is lost).
  EXPECT_NEAR(wv.weights()[0], 1.0 / (1.0 + 4.0 / 6.0), 1e-12);
  EXPECT_NEAR(wv.weights()[1], (4.0 / 6.0) / (1.0 + 4.0 / 6.0), 1e-12);
}

TEST(goss, keeps_exactly_the_top_fraction_by_gradient_and_reweights_the_sample) {
  // 20 distinct magnitudes in scrambled order; top_rate 0.25 -> the 5 largest; other_rate 0.25 -> 5 of the
  // other 15, weight (1 - 0.25) / 0.25 = 3.
  std::vector<double> g(20);
  for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<double>((i * 7) % 20) - 9.5;
  std::vector<double> mag(20);
  for (std::size_t i = 0; i < g.size(); ++i) mag[i] = std::abs(g[i]);
  // |g| values are 0.5 .. 9.5, each twice; the 5 largest are 9.5, 9.5, 8.5, 8.5, 7.5 (of the two 7.5s the lower index).
  std::vector<std::size_t> by_size(20);
  std::iota(by_size.begin(), by_size.end(), std::size_t{0});
  std::stable_sort(by_size.begin(), by_size.end(), [&](auto a, auto b) { return mag[a] > mag[b]; });
  physec::rng_stream rng(3);
  const auto w = pa::goss_weights(mag, 0.25, 0.25, rng);
  for (std::size_t r = 0; r < 5; ++r) EXPECT_EQ(w[by_size[r]], 1.0f) << "rank " << r;
  EXPECT_EQ(std::count(w.begin(), w.end(), 1.0f), 5);
  EXPECT_EQ(std::count(w.begin(), w.end(), 3.0f), 5);
  EXPECT_EQ(std::count(w.begin(), w.end(), 0.0f), 10);
  // The top 5 have |g| >= 7.5 and every sampled or dropped one has |g| <= 7.5.
  for (std::size_t i = 0; i < 20; ++i)
    if (w[i] != 1.0f) {
      EXPECT_LE(mag[i], 7.5);
    }
  // a = 1: plain RGBO, everything with weight 1.
  const auto all = pa::goss_weights(mag, 1.0, 0.0, rng);
  EXPECT_EQ(std::count(all.begin(), all.end(), 1.0f), 20);
  EXPECT_THROW(pa::goss_weights(mag, 0.0, 0.1, rng), physec::error);
}

TEST(goss, igbo_with_every_sample_kept_is_rgbo) {
  auto cfg = tiny_data_config();
  static_cast<pa::rgbo_config&>(cfg.igbo) = cfg.rgbo;
  cfg.igbo.top_rate = 1.0;
  cfg.igbo.other_rate = 0.0;
  auto igbo = pa::make_classifier("igbo", cfg), rgbo = pa::make_classifier("rgbo", cfg);
  igbo->fit(separable_x, separable_y);
  rgbo->fit(separable_x, separable_y);
  EXPECT_EQ(igbo->predict_proba(separable_test_x).data, rgbo->predict_proba(separable_test_x).data);
}

TEST(goss, the_seed_reaches_the_sampling) {
  auto cfg = tiny_data_config();
  auto a = pa::make_classifier("igbo", cfg);
  cfg.seed = 43;
  auto b = pa::make_classifier("igbo", cfg);
  a->fit(separable_x, separable_y);
  b->fit(separable_x, separable_y);
  EXPECT_NE(a->predict_proba(separable_test_x).data, b->predict_proba(separable_test_x).data);
}

// One round, one split, eta = 1 on x = {0, 1, 2, 3}, y = {0, 0, 1, 1}. Start: margins 0, p = ½ for both classes,
// so for the class-1 output g = p - y = {½, ½, -½, -½} and for class 0 the negatives; the split is {0, 1} | {2, 3}.
// Leaf value w = -G / (H + λ) with G = ±1 on each side:
//   GBDT (h ≡ 1, λ = 0):          H = 2,   w = ∓½   -> at x = 0 margins (+½, -½),   P(1) = 1 / (1 + e^1)
//   RGBO (h = p(1-p) = ¼, λ = 0): H = ½,   w = ∓2   -> margins (+2, -2),            P(1) = 1 / (1 + e^4)
//   RGBO with λ = 1:              H + λ = 3/2, w = ∓2/3 -> margins (+2/3, -2/3),   P(1) = 1 / (1 + e^{4/3})
TEST(boosting, one_round_leaf_values_match_the_hand_computation) {
  const auto x = matrix(1, {0, 1, 2, 3});
  const std::vector<int> y = {0, 0, 1, 1};
  pa::rgbo_config cfg;
  cfg.nof_rounds = 1;
  cfg.max_depth = 1;
  cfg.eta = 1.0;
  cfg.min_child_weight = 0.0;
  cfg.lambda = 0.0;
  pa::boosted_trees gbdt(static_cast<const pa::boost_config&>(cfg), 1), rgbo(cfg, 1);
  cfg.lambda = 1.0;
  pa::boosted_trees rgbo_l2(cfg, 1);
  const auto probe = matrix(1, {0.0f, 3.0f});
  gbdt.fit(x, y);
  rgbo.fit(x, y);
  rgbo_l2.fit(x, y);
  EXPECT_NEAR(gbdt.predict_proba(probe)(0, 1), 1.0 / (1.0 + std::exp(1.0)), 1e-6);
  EXPECT_NEAR(gbdt.predict_proba(probe)(1, 1), 1.0 / (1.0 + std::exp(-1.0)), 1e-6);
  EXPECT_NEAR(rgbo.predict_proba(probe)(0, 1), 1.0 / (1.0 + std::exp(4.0)), 1e-6);
  EXPECT_NEAR(rgbo_l2.predict_proba(probe)(0, 1), 1.0 / (1.0 + std::exp(4.0 / 3.0)), 1e-6);
}

TEST(boosting, early_stopping_keeps_the_best_validation_round) {
  auto cfg = tiny_data_config();
  cfg.rgbo.nof_rounds = 200;
  cfg.rgbo.early_stopping_rounds = 5;
  pa::boosted_trees model(cfg.rgbo, cfg.seed);
  const pa::labelled_data val{separable_test_x, separable_test_y};
  model.fit(separable_x, separable_y, &val);
  EXPECT_GE(model.nof_rounds_used(), 1);
  EXPECT_LE(model.nof_rounds_used(), 200);
  EXPECT_EQ(model.predict(separable_test_x), separable_test_y);
}

TEST(fusion, averages_windows_within_each_group) {
  // Rows 0-2 from transmitter 0, rows 3-4 from transmitter 1; window 2 -> {0, 1}, {2}, {3, 4}.
  const physec::ndarray<double> p({5, 2}, {0.9, 0.1, 0.3, 0.7, 0.6, 0.4, 0.2, 0.8, 0.4, 0.6});
  const auto f = pa::fuse_observations(p, {0, 0, 0, 1, 1}, 2);
  EXPECT_EQ(f.first_row, (std::vector<std::size_t>{0, 2, 3}));
  ASSERT_EQ(f.proba.shape, (physec::shape_t{3, 2}));
  EXPECT_NEAR(f.proba(0, 0), 0.6, 1e-15);
  EXPECT_NEAR(f.proba(1, 0), 0.6, 1e-15);
  EXPECT_NEAR(f.proba(2, 1), 0.7, 1e-15);
  EXPECT_THROW(pa::fuse_observations(p, {0, 0, 0}, 2), physec::error);
}

TEST(selection, grids_have_the_documented_sizes_and_pick_the_best_validation_point) {
  const pa::classifier_config base = tiny_data_config();
  const std::vector<std::pair<std::string, std::size_t>> sizes = {{"dt", 12}, {"knn", 5}, {"nb", 4}, {"wv", 1},
                                                                  {"gbdt", 4}, {"rgbo", 8}, {"igbo", 8}};
  for (const auto& [name, n] : sizes) EXPECT_EQ(pa::hyperparameter_grid(name, base).size(), n) << name;
  EXPECT_EQ(pa::hyperparameter_grid("knn", base)[2].parameters, "k=5");
  // knn: k = 1 already scores 100 % on this validation set, so it is the first best point.
  const pa::labelled_data train{separable_x, separable_y}, val{separable_test_x, separable_test_y};
  const auto r = pa::select_hyperparameters("knn", base, train, val);
  EXPECT_EQ(r.trials.rows().size(), 5u);
  EXPECT_EQ(r.best.knn.k, 1);
  EXPECT_DOUBLE_EQ(r.best_validation_accuracy, 1.0);
}

TEST(evaluate, reports_accuracy_rates_and_fused_decisions) {
  // Three clusters; with 2 legal users, cluster 2 plays the spoofer. Test rows in groups of 2 per class.
  pa::evaluation_options opt;
  opt.nof_legal_users = 2;
  const pa::labelled_data train{separable_x, separable_y}, test{separable_test_x, separable_test_y};
  const auto dt = pa::evaluate_model("dt", tiny_data_config(), train, test, test, opt);
  EXPECT_EQ(dt.model, "dt");
  EXPECT_EQ(dt.parameters, "max_depth=4 min_samples_leaf=1");  // first grid point already scores 100 %
  EXPECT_DOUBLE_EQ(dt.accuracy, 1.0);
  EXPECT_DOUBLE_EQ(dt.rates.far, 0.0);
  EXPECT_DOUBLE_EQ(dt.rates.mdr, 0.0);
  EXPECT_EQ(dt.rates.nof_spoofer, 2);
  EXPECT_EQ(dt.nof_decisions, 6u);
  EXPECT_EQ(dt.confusion[2][2], 2);
  // IGBO with groups: rows reordered so each class is contiguous, window 5 -> one decision per group of 2.
  const pa::labelled_data grouped{
      matrix(2, {0.3f, 0.2f, 1.5f, 1.5f, 9.7f, 0.3f, 11.5f, -1.5f, 0.2f, 9.8f, -1.5f, 11.5f}), {0, 0, 1, 1, 2, 2}};
  opt.select = false;
  opt.test_groups = {0, 0, 1, 1, 2, 2};
  const auto igbo = pa::evaluate_model("igbo", tiny_data_config(), train, grouped, grouped, opt);
  EXPECT_EQ(igbo.parameters, "defaults");
  EXPECT_EQ(igbo.nof_decisions, 3u);
  EXPECT_DOUBLE_EQ(igbo.accuracy, 1.0);
  const auto t = pa::evaluation_table({dt, igbo});
  EXPECT_EQ(t.rows().size(), 2u);
  opt.test_groups = {0, 1};
  EXPECT_THROW(pa::evaluate_model("igbo", tiny_data_config(), train, grouped, grouped, opt), physec::error);
}

TEST(auth_config, shows_as_toml_and_reads_back) {
  pa::classifier_config cfg;
  const std::string text = physec::config::show(cfg, "auth baselines");
  for (const char* key : {"[dt]", "[knn]", "[nb]", "[wv]", "[gbdt]", "[rgbo]", "[igbo]", "top_rate = 0.2", "lambda = 1.0"})
    EXPECT_NE(text.find(key), std::string::npos) << key << "\n" << text;
  pa::classifier_config back;
  back.igbo.top_rate = 0.9;
  physec::config::apply_text(back, text, "auth.toml");
  EXPECT_EQ(back.igbo.top_rate, 0.2);
  physec::config::apply_text(back, "[igbo]\ntop_rate = 0.3\n", "override.toml");
  EXPECT_EQ(back.igbo.top_rate, 0.3);
  EXPECT_THROW(physec::config::apply_text(back, "[gbdt]\nlambda = 1\n", "bad.toml"), physec::error);  // GBDT has no λ
}
