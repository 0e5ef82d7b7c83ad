/* cs-typed-tasks.h: typed tasks, one class per CapSolver task family
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__CAPSOLVER_GLIB_INSIDE__) && !defined(CAPSOLVER_GLIB_COMPILATION)
#error "Only <capsolver-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "cs-task.h"

G_BEGIN_DECLS

/* Recognition tasks, answered at once. */

#define CS_TYPE_IMAGE_TO_TEXT_TASK (cs_image_to_text_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsImageToTextTask, cs_image_to_text_task, CS, IMAGE_TO_TEXT_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_image_to_text_task_new            (const char        *body);
CS_AVAILABLE_IN_ALL
CsTask *cs_image_to_text_task_new_from_bytes (GBytes            *image);
CS_AVAILABLE_IN_ALL
CsTask *cs_image_to_text_task_new_from_file  (GFile             *file,
                                              GError           **error);
CS_AVAILABLE_IN_ALL
void    cs_image_to_text_task_add_image      (CsImageToTextTask *task,
                                              GBytes            *image);

#define CS_TYPE_RECAPTCHA_CLASSIFICATION_TASK (cs_recaptcha_classification_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsReCaptchaClassificationTask, cs_recaptcha_classification_task,
                      CS, RECAPTCHA_CLASSIFICATION_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_recaptcha_classification_task_new (GBytes     *image,
                                              const char *question);

#define CS_TYPE_AWS_WAF_CLASSIFICATION_TASK (cs_aws_waf_classification_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsAwsWafClassificationTask, cs_aws_waf_classification_task,
                      CS, AWS_WAF_CLASSIFICATION_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_aws_waf_classification_task_new       (const char                 *question);
CS_AVAILABLE_IN_ALL
void    cs_aws_waf_classification_task_add_image (CsAwsWafClassificationTask *task,
                                                  GBytes                     *image);

#define CS_TYPE_VISION_ENGINE_TASK (cs_vision_engine_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsVisionEngineTask, cs_vision_engine_task, CS, VISION_ENGINE_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_vision_engine_task_new                  (const char         *module,
                                                    GBytes             *image);
CS_AVAILABLE_IN_ALL
void    cs_vision_engine_task_set_image_background (CsVisionEngineTask *task,
                                                    GBytes             *image);

/* Token tasks, polled until ready. */

#define CS_TYPE_RECAPTCHA_V2_TASK (cs_recaptcha_v2_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsReCaptchaV2Task, cs_recaptcha_v2_task, CS, RECAPTCHA_V2_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_recaptcha_v2_task_new (const char *website_url,
                                  const char *website_key);

#define CS_TYPE_RECAPTCHA_V3_TASK (cs_recaptcha_v3_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsReCaptchaV3Task, cs_recaptcha_v3_task, CS, RECAPTCHA_V3_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_recaptcha_v3_task_new (const char *website_url,
                                  const char *website_key);

#define CS_TYPE_TURNSTILE_TASK (cs_turnstile_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsTurnstileTask, cs_turnstile_task, CS, TURNSTILE_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_turnstile_task_new (const char *website_url,
                               const char *website_key);

#define CS_TYPE_CLOUDFLARE_CHALLENGE_TASK (cs_cloudflare_challenge_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsCloudflareChallengeTask, cs_cloudflare_challenge_task,
                      CS, CLOUDFLARE_CHALLENGE_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_cloudflare_challenge_task_new (const char *website_url,
                                          CsProxy    *proxy);

#define CS_TYPE_AWS_WAF_TASK (cs_aws_waf_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsAwsWafTask, cs_aws_waf_task, CS, AWS_WAF_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_aws_waf_task_new (const char *website_url);

#define CS_TYPE_DATADOME_TASK (cs_datadome_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsDataDomeTask, cs_datadome_task, CS, DATADOME_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_datadome_task_new (const char *captcha_url,
                              const char *user_agent,
                              CsProxy    *proxy);

#define CS_TYPE_GEETEST_TASK (cs_geetest_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsGeeTestTask, cs_geetest_task, CS, GEETEST_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_geetest_task_new_v3 (const char *website_url,
                                const char *gt,
                                const char *challenge);
CS_AVAILABLE_IN_ALL
CsTask *cs_geetest_task_new_v4 (const char *website_url,
                                const char *captcha_id);

#define CS_TYPE_MTCAPTCHA_TASK (cs_mtcaptcha_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsMtCaptchaTask, cs_mtcaptcha_task, CS, MTCAPTCHA_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_mtcaptcha_task_new (const char *website_url,
                               const char *website_key);

#define CS_TYPE_FRIENDLY_CAPTCHA_TASK (cs_friendly_captcha_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsFriendlyCaptchaTask, cs_friendly_captcha_task,
                      CS, FRIENDLY_CAPTCHA_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_friendly_captcha_task_new (const char *website_url,
                                      const char *website_key);

#define CS_TYPE_YANDEX_CAPTCHA_TASK (cs_yandex_captcha_task_get_type ())
CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsYandexCaptchaTask, cs_yandex_captcha_task,
                      CS, YANDEX_CAPTCHA_TASK, CsTask)

CS_AVAILABLE_IN_ALL
CsTask *cs_yandex_captcha_task_new (const char *website_url,
                                    const char *website_key);

G_END_DECLS
