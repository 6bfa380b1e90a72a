/*
 * spatial_dropout.h - Keras's SpatialDropout1D/2D/3D for C and C++ (C99 / C++98 and later).
 *
 * The C interface of the Rust crate `spatial-dropout`, linked as the static library
 * `libspatial_dropout_c.a` (crate `capi/`). Same semantics and the same bits as the Rust crate,
 * the npm package and TensorFlow/Keras where Keras defines them:
 *
 *   - a *map* is one (sample, channel) pair; training with 0 < rate < 1 keeps or drops whole
 *     maps, kept elements become x * scale with scale = (float)(1.0 / (1.0 - rate)), dropped
 *     ones +0.0f exactly (also for NaN or inf inputs);
 *   - inference (training == 0) and rate 0 copy the input bit for bit; rate 1 writes +0.0f;
 *   - masks: by default a layer draws TensorFlow's Keras masks. A layer with seed s drops on
 *     its call number k exactly the maps Keras 3's SpatialDropout with seed=s drops on its k-th
 *     drawing call (TensorFlow backend: eager calls, and step k of model.fit): TF's Philox
 *     4x32-10 keyed by (s, k), the same on every target. A *drawing call* is a training call
 *     with 0 < rate < 1, empty tensors included; each one adds 1 to the call number. See
 *     spatial_dropout_set_masks for the Keras <= 3.4 and XLA variants and the crate 0.1's
 *     XorShift scheme, spatial_dropout_set_calls to resume at step k, and
 *     spatial_dropout_keras_mask for a mask without a layer.
 *
 * Memory: nothing is allocated. The layer lives in caller storage of type
 * `spatial_dropout_layer` (a static, a stack variable or a struct member); its size and
 * alignment are the constants below. A layer holds no pointers: copying its bytes (memcpy or
 * struct assignment) makes an independent copy in the same state. There is nothing to free.
 *
 * Tensors: `float` buffers plus `dims` in memory order, `ndim` = spatial rank + 2:
 *   channels_last  (default): [batch, d1, ..., dS, channels]
 *   channels_first           : [batch, channels, d1, ..., dS]
 * A buffer length is a count of elements and must equal the product of the dims. Any dim may
 * be 0. A NULL buffer is accepted only with length 0.
 *
 * Errors: every function returns SPATIAL_DROPOUT_OK (0) or a status code below, and a call
 * that fails has written nothing to any caller buffer and changed nothing in the layer
 * (except that length out-parameters receive the length needed on BUFFER_TOO_SMALL).
 * NULL pointers and misaligned pointers are reported, never dereferenced. Each function has a
 * twin with the suffix _ex and a last parameter `spatial_dropout_error *err` that also receives
 * the detail of the outcome (which argument, the JSON byte offset and reason, the key, ...);
 * spatial_dropout_describe turns it into the Rust crate's message. See "Error detail" below.
 *
 * Panics: every function, the JSON ones included, is proven at link time to hold no panic
 * path, so none aborts, traps or loops.
 *
 * Threads: calls on one layer must not run at the same time; separate layers are independent.
 */
#ifndef SPATIAL_DROPOUT_H
#define SPATIAL_DROPOUT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes and alignment of a layer's storage. The Rust library checks at compile time that its
   layer fits (on every target it is built for); the numbers only change with a new version. */
#define SPATIAL_DROPOUT_LAYER_SIZE 320
#define SPATIAL_DROPOUT_LAYER_ALIGN 8

/* The longest layer name in bytes (UTF-8, without the terminating NUL). */
#define SPATIAL_DROPOUT_MAX_NAME_LEN 64

/* The longest texts spatial_dropout_get_config and spatial_dropout_get_serialized write, in
   bytes without the terminating NUL: a buffer of MAX_..._LEN + 1 bytes always fits. */
#define SPATIAL_DROPOUT_MAX_CONFIG_LEN 503
#define SPATIAL_DROPOUT_MAX_SERIALIZED_LEN 593

/* Storage for one layer. Opaque: create it with spatial_dropout_create,
   spatial_dropout_from_config or spatial_dropout_from_model_json before any other use. A zero-initialised layer that was never
   created is reported as SPATIAL_DROPOUT_ERROR_NOT_CREATED. */
typedef union spatial_dropout_layer {
    unsigned char bytes[SPATIAL_DROPOUT_LAYER_SIZE];
    uint64_t align_u64_; /* alignment 8 on every ABI this library supports */
    double align_double_;
} spatial_dropout_layer;

/* Memory order of the dims (Keras's data_format). */
#define SPATIAL_DROPOUT_CHANNELS_LAST 0
#define SPATIAL_DROPOUT_CHANNELS_FIRST 1

/* Mask schemes (int32_t, as data_format). The four Keras ones reproduce TensorFlow's Keras 3
   bit for bit; they differ in how Keras reduces the seed and which bits of each Philox word
   TensorFlow compares with the rate.
   KERAS         Keras >= 3.5 on TensorFlow's CPU kernels (eager, model.fit in graph mode);
                 the default of every created layer
   KERAS_XLA     Keras >= 3.5 compiled by XLA (jit_compile=True, Keras's default on GPU)
   KERAS_3_4     Keras <= 3.4 (seed and call number read as int32; the same masks as KERAS
                 for seeds and call numbers below 2147483646)
   KERAS_3_4_XLA Keras <= 3.4 compiled by XLA
   XORSHIFT      the crate 0.1's scheme: XorShift128 seeded as rand_xorshift's
                 seed_from_u64(seed), one draw per map, kept iff below the rate's threshold;
                 its state runs on from call to call, so a call's mask depends on the sizes of
                 the calls before it. Not a Keras mask. */
#define SPATIAL_DROPOUT_MASKS_KERAS 0
#define SPATIAL_DROPOUT_MASKS_KERAS_XLA 1
#define SPATIAL_DROPOUT_MASKS_KERAS_3_4 2
#define SPATIAL_DROPOUT_MASKS_KERAS_3_4_XLA 3
#define SPATIAL_DROPOUT_MASKS_XORSHIFT 4

/* Status codes. Functions return int32_t rather than this enum so that the ABI does not depend
   on the compiler's enum size (arm-none-eabi-gcc uses short enums by default). Codes 1-19 are
   the Rust crate's error variants, one each; 100 and up are C-side checks. */
typedef int32_t spatial_dropout_status;
enum spatial_dropout_status_code {
    SPATIAL_DROPOUT_OK = 0,
    /* rate is NaN, infinite, negative or above 1 */
    SPATIAL_DROPOUT_ERROR_INVALID_RATE = 1,
    /* data_format is neither constant, or a config's data_format is neither
       "channels_first" nor "channels_last" */
    SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT = 2,
    /* ndim is not the layer's spatial rank + 2 */
    SPATIAL_DROPOUT_ERROR_RANK_MISMATCH = 3,
    /* the product of the dims does not fit in size_t */
    SPATIAL_DROPOUT_ERROR_SHAPE_OVERFLOW = 4,
    /* a buffer length is not the product of the dims */
    SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH = 5,
    /* spatial_dropout_keras_mask: keep_words < ceil(maps / 32) */
    SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT = 6,
    /* the name is longer than SPATIAL_DROPOUT_MAX_NAME_LEN bytes */
    SPATIAL_DROPOUT_ERROR_NAME_TOO_LONG = 7,
    /* spatial_dropout_backward before any forward call of the layer */
    SPATIAL_DROPOUT_ERROR_NO_FORWARD_CALL = 8,
    /* spatial_dropout_backward with dims other than those of the last forward call */
    SPATIAL_DROPOUT_ERROR_SHAPE_MISMATCH = 9,
    /* the JSON text is malformed; an _ex function's err holds the byte offset and the reason */
    SPATIAL_DROPOUT_ERROR_JSON = 10,
    /* an output text buffer is too small; the length out-parameter holds the length needed */
    SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL = 11,
    /* the JSON's class_name is another class or another spatial rank than requested */
    SPATIAL_DROPOUT_ERROR_WRONG_CLASS = 12,
    /* the JSON's dtype is not float32 */
    SPATIAL_DROPOUT_ERROR_UNSUPPORTED_DTYPE = 13,
    /* the JSON config has a non-null noise_shape */
    SPATIAL_DROPOUT_ERROR_NOISE_SHAPE = 14,
    /* a required JSON key is missing: rate; config after class_name; class_name with rank 0 */
    SPATIAL_DROPOUT_ERROR_MISSING_KEY = 15,
    /* a JSON key has a value of the wrong type or out of range (a seed above 2^64 - 1, ...),
       or a 1D layer is given channels_first (by create or a config); an _ex function's err
       names the key and what its value must be */
    SPATIAL_DROPOUT_ERROR_INVALID_VALUE = 16,
    /* spatial_dropout_from_model_json: no SpatialDropout layer has that name */
    SPATIAL_DROPOUT_ERROR_LAYER_NOT_FOUND = 17,
    /* a mask scheme is none of the SPATIAL_DROPOUT_MASKS_* numbers */
    SPATIAL_DROPOUT_ERROR_INVALID_MASKS = 18,
    /* spatial_dropout_keras_mask with SPATIAL_DROPOUT_MASKS_XORSHIFT, whose masks are not a
       function of (seed, call) */
    SPATIAL_DROPOUT_ERROR_NOT_KERAS = 19,
    /* a required pointer is NULL; an _ex function's err names the argument */
    SPATIAL_DROPOUT_ERROR_NULL_POINTER = 100,
    /* a pointer is not aligned for its type (layer storage: SPATIAL_DROPOUT_LAYER_ALIGN); an
       _ex function's err names the argument and the alignment it needs */
    SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT = 101,
    /* the rank argument is not 1, 2 or 3 */
    SPATIAL_DROPOUT_ERROR_BAD_RANK = 102,
    /* the name is not valid UTF-8 */
    SPATIAL_DROPOUT_ERROR_INVALID_UTF8 = 103,
    /* the layer storage was not initialised by a create function */
    SPATIAL_DROPOUT_ERROR_NOT_CREATED = 104,
    /* an output buffer overlaps an input buffer without being the same buffer */
    SPATIAL_DROPOUT_ERROR_OVERLAP = 105,
    /* an error of a newer Rust crate that this version of the C API has no code for */
    SPATIAL_DROPOUT_ERROR_UNKNOWN = 199
};

/* ---- Error detail -------------------------------------------------------------------------
   Each function F below has a twin F_ex with the same parameters and one more, last:
   `spatial_dropout_error *err`. F_ex does what F does and returns the same status; if `err` is
   not NULL it also writes into `*err` the detail of the outcome (on success: code 0, every
   other field 0 or empty). A failing F_ex writes `*err` and what F writes on that failure
   (only the length out-parameter of BUFFER_TOO_SMALL), nothing else. A misaligned `err`
   fails the call with SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT before it does anything (nothing
   written). The detail lives in the caller's variable: nothing is allocated and nothing is
   global, so threads with their own `spatial_dropout_error` never see each other's. */

/* Which argument a failure is about (spatial_dropout_error.argument): the parameter of that
   name. spatial_dropout_argument_name gives the name as text. */
#define SPATIAL_DROPOUT_ARG_NONE 0
#define SPATIAL_DROPOUT_ARG_LAYER 1
#define SPATIAL_DROPOUT_ARG_RANK 2
#define SPATIAL_DROPOUT_ARG_RATE 3
#define SPATIAL_DROPOUT_ARG_DATA_FORMAT 4
#define SPATIAL_DROPOUT_ARG_NAME 5
#define SPATIAL_DROPOUT_ARG_JSON 6
#define SPATIAL_DROPOUT_ARG_MODEL_JSON 7
#define SPATIAL_DROPOUT_ARG_INPUT 8
#define SPATIAL_DROPOUT_ARG_OUTPUT 9
#define SPATIAL_DROPOUT_ARG_DATA 10
#define SPATIAL_DROPOUT_ARG_DIMS 11
#define SPATIAL_DROPOUT_ARG_GRAD_OUTPUTS 12
#define SPATIAL_DROPOUT_ARG_GRAD_INPUTS 13
#define SPATIAL_DROPOUT_ARG_MASKS 14
#define SPATIAL_DROPOUT_ARG_CALLS 15
#define SPATIAL_DROPOUT_ARG_HAS_SEED 16
#define SPATIAL_DROPOUT_ARG_SEED 17
#define SPATIAL_DROPOUT_ARG_KEEP 18
#define SPATIAL_DROPOUT_ARG_BUF 19
#define SPATIAL_DROPOUT_ARG_LEN 20
#define SPATIAL_DROPOUT_ARG_ERR 21

/* A static text of the library: `len` bytes at `ptr`, NOT NUL-terminated (print it with
   printf("%.*s", (int)t.len, t.ptr)). `ptr` is never NULL and stays valid for the life of the
   program; an absent text has `len` 0. */
typedef struct spatial_dropout_text {
    const char *ptr;
    size_t len;
} spatial_dropout_text;

/* The detail of a call's outcome. Which fields a code fills (the others are 0 or empty):
     every code    code: the status returned; argument: the SPATIAL_DROPOUT_ARG_* at fault
                   (for the Rust crate's errors, the argument it is about: JSON for a config,
                   DIMS for a rank, INPUT for a length, ...), or _NONE
     INVALID_RATE  rate: the rate passed
     RANK_MISMATCH expected: the ndim the layer takes (rank + 2); found: the ndim passed
     LENGTH_MISMATCH expected, found: elements the dims need, elements passed; key: the buffer
                   ("input", "output", "data", "grad_outputs", "grad_inputs"). With key empty:
                   a length so large no buffer can hold it (found: that length)
     MASK_TOO_SHORT expected, found: words needed, words passed
     NAME_TOO_LONG expected: SPATIAL_DROPOUT_MAX_NAME_LEN
     JSON          offset: the byte of the JSON text at fault; detail: what was wrong there
     BUFFER_TOO_SMALL expected: bytes needed (text and NUL); found: the buffer's capacity
     WRONG_CLASS   detail: the class requested; key: the SpatialDropout class the JSON names
                   (empty for any other class)
     MISSING_KEY   key: the JSON key
     INVALID_VALUE key: the JSON key; detail: what its value must be
     BAD_ALIGNMENT expected: the alignment needed in bytes
     BAD_RANK      found: the rank passed
     INVALID_UTF8  offset and found: the byte where the name stops being UTF-8 */
typedef struct spatial_dropout_error {
    spatial_dropout_status code;
    int32_t argument;
    size_t offset;
    size_t expected;
    size_t found;
    double rate;
    spatial_dropout_text key;
    spatial_dropout_text detail;
} spatial_dropout_error;

/* Writes the message of `*err` - for the Rust crate's errors the text of its Display, e.g.
   "malformed JSON at byte 9: expected a JSON value" or "`rate` must be a number between 0
   and 1"; for the C-side checks one naming the argument, e.g. "`input` is not aligned to 4
   bytes" - into `buf` (`capacity` bytes): as much as fits, cut at a UTF-8 character boundary,
   always NUL-terminated when capacity > 0. Returns the message's whole length without the
   NUL, like snprintf: a return >= capacity means it was cut. `buf` may be NULL when capacity
   is 0 (to ask the length). `err` must be NULL (described as such), zeroed (code 0: "ok") or
   filled by an _ex function. */
size_t spatial_dropout_describe(const spatial_dropout_error *err, char *buf, size_t capacity);

/* The name of a SPATIAL_DROPOUT_ARG_* number ("input", "layer", ...; "" for _NONE and
   unknown numbers): static, NUL-terminated, never NULL. */
const char *spatial_dropout_argument_name(int32_t argument);

/* Creates a layer in `layer`'s storage, as Keras's
   SpatialDropout{rank}D(rate, data_format, seed, name).
   rank:        1, 2 or 3 (inputs have rank + 2 dims)
   rate:        0 <= rate <= 1
   data_format: SPATIAL_DROPOUT_CHANNELS_LAST or _CHANNELS_FIRST (rank 1: CHANNELS_LAST only;
                CHANNELS_FIRST there is SPATIAL_DROPOUT_ERROR_INVALID_VALUE for data_format)
   has_seed:    nonzero: the config seed is `seed` and the masks start from it (call 0);
                zero: the config seed is null (Keras: seed=None) and the masks start from
                seed 0 - call spatial_dropout_reseed with entropy (a TRNG) before training
   name:        NUL-terminated UTF-8, at most SPATIAL_DROPOUT_MAX_NAME_LEN bytes, or NULL for
                Keras's default "spatial_dropout{rank}d".
   The layer draws SPATIAL_DROPOUT_MASKS_KERAS masks from call number 0.
   Overwrites whatever the storage held; on error the storage is unchanged. */
spatial_dropout_status spatial_dropout_create(spatial_dropout_layer *layer, uint32_t rank,
                                              double rate, int32_t data_format, int has_seed,
                                              uint64_t seed, const char *name);

/* Creates a layer from Keras JSON (`json_len` bytes, UTF-8, no NUL needed), as Keras's
   SpatialDropout{rank}D.from_config / keras.saving.deserialize_keras_object. Accepts:
     - a config as get_config() writes it: {"rate":0.25,"seed":7,"name":"...",
       "dtype":"float32","data_format":"channels_last"} (Keras 3), or Keras 2 / tf.keras's form
       (trainable, noise_shape null, no data_format: read as channels_last);
     - a serialized layer {"module":"keras.layers","class_name":"SpatialDropout2D",
       "config":{...},...}, also a layer entry cut from model.to_json();
     - dtype as "float32" or a float32 DTypePolicy object.
   rank: 1, 2 or 3, checked against a class_name if there is one (else WRONG_CLASS); or 0 to
   take the rank from the class_name (a bare config then fails with MISSING_KEY).
   A null or missing seed gives a layer without a config seed: its masks start from seed 0, so
   call spatial_dropout_reseed with entropy before training (Keras draws a fresh seed). The
   layer draws SPATIAL_DROPOUT_MASKS_KERAS masks from call number 0. */
spatial_dropout_status spatial_dropout_from_config(spatial_dropout_layer *layer, uint32_t rank,
                                                   const char *json, size_t json_len);

/* Creates the SpatialDropout1D/2D/3D layer named `name` (NUL-terminated) of a whole
   model.to_json() document (Sequential or Functional, Keras 3 or Keras 2, nested models
   included; the first such layer in document order). The rank comes from its class_name. */
spatial_dropout_status spatial_dropout_from_model_json(spatial_dropout_layer *layer,
                                                       const char *model_json,
                                                       size_t model_json_len,
                                                       const char *name);

/* Keras's call(inputs, training) out of place: writes `output`. Training (nonzero) with
   0 < rate < 1 is a drawing call: it applies the scheme's mask for the current call number and
   adds 1 to it, also on a tensor with no elements (which draws nothing and returns at once,
   whatever its batch or channels). Otherwise nothing is drawn or counted.
   `output` may be exactly `input` (same pointer and length: the call runs in place); any
   other overlap is SPATIAL_DROPOUT_ERROR_OVERLAP. */
spatial_dropout_status spatial_dropout_call(spatial_dropout_layer *layer, const float *input,
                                            size_t input_len, float *output, size_t output_len,
                                            const size_t *dims, size_t ndim, int training);

/* Keras's call(inputs, training) in place on `data`. Inference leaves `data` untouched. */
spatial_dropout_status spatial_dropout_call_in_place(spatial_dropout_layer *layer, float *data,
                                                     size_t len, const size_t *dims,
                                                     size_t ndim, int training);

/* The gradient of the last forward call: grad_inputs = grad_outputs * scale on the maps that
   call kept and +0.0f on the others (after an inference call, a copy). The Keras schemes
   recompute that call's mask from (seed, call number), XORSHIFT replays the generator state
   from before the call, so no mask is stored; does not change the layer and may be called
   more than once. `dims` must be those of that call. `grad_inputs` must not overlap
   `grad_outputs`. */
spatial_dropout_status spatial_dropout_backward(const spatial_dropout_layer *layer,
                                                const float *grad_outputs,
                                                size_t grad_outputs_len, float *grad_inputs,
                                                size_t grad_inputs_len, const size_t *dims,
                                                size_t ndim);

/* Restarts the layer's masks from `seed` at call number 0 (as a Keras SeedGenerator built with
   that seed); the config seed stays as it was. */
spatial_dropout_status spatial_dropout_reseed(spatial_dropout_layer *layer, uint64_t seed);

/* Chooses how the layer draws its masks: one of the SPATIAL_DROPOUT_MASKS_* numbers (else
   SPATIAL_DROPOUT_ERROR_INVALID_MASKS, the layer unchanged). The call number stays; choosing
   XORSHIFT (again or anew) restarts its generator from the seed the masks come from (the
   config seed, or that of the last spatial_dropout_reseed). Backward still replays the last
   forward call as it was drawn. */
spatial_dropout_status spatial_dropout_set_masks(spatial_dropout_layer *layer, int32_t masks);

/* The layer's mask scheme (a SPATIAL_DROPOUT_MASKS_* number) into `*masks`. */
spatial_dropout_status spatial_dropout_get_masks(const spatial_dropout_layer *layer,
                                                 int32_t *masks);

/* Sets the call number: the next drawing call draws Keras's mask of call `calls` (Keras's
   seed_generator.state is [seed, calls]; in model.fit it is the training step). Resumes a
   training run at step k, or reproduces step k of a TensorFlow run. With XORSHIFT only the
   count changes: that generator runs on from where it is. */
spatial_dropout_status spatial_dropout_set_calls(spatial_dropout_layer *layer, uint64_t calls);

/* The call number into `*calls`: the drawing calls made since the layer was created or
   reseeded (plus what spatial_dropout_set_calls set). */
spatial_dropout_status spatial_dropout_get_calls(const spatial_dropout_layer *layer,
                                                 uint64_t *calls);

/* The keep mask a Keras layer with seed `seed` draws on its drawing call number `call` for a
   tensor of `maps` = batch * channels maps, computed directly (no layer, no state): bit m % 32
   of keep[m / 32] is set when map m is kept. For host tests against a TensorFlow run: step k of
   model.fit without replaying the steps before it. Rate 0 sets every bit, rate 1 none. Bits
   past `maps` in the last word are cleared; words past ceil(maps / 32) are left alone.
   masks: a Keras scheme; SPATIAL_DROPOUT_MASKS_XORSHIFT gives SPATIAL_DROPOUT_ERROR_NOT_KERAS.
   keep_words < ceil(maps / 32) gives SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT. On any error
   nothing is written. */
spatial_dropout_status spatial_dropout_keras_mask(uint32_t *keep, size_t keep_words, size_t maps,
                                                  double rate, uint64_t seed, uint64_t call,
                                                  int32_t masks);

/* The layer's settings. Every out-pointer is required. `*has_seed` is 0 and `*seed` 0 for a
   layer whose config seed is null. */
spatial_dropout_status spatial_dropout_get_info(const spatial_dropout_layer *layer,
                                                uint32_t *rank, double *rate,
                                                int32_t *data_format, int *has_seed,
                                                uint64_t *seed);

/* Copies the layer name and a NUL into `buf` (`capacity` bytes) and its length without the
   NUL into `*len`. If it does not fit: SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL, `*len` = the
   length needed without the NUL, `buf` unchanged. SPATIAL_DROPOUT_MAX_NAME_LEN + 1 always
   fits. */
spatial_dropout_status spatial_dropout_get_name(const spatial_dropout_layer *layer, char *buf,
                                                size_t capacity, size_t *len);

/* Writes Keras's get_config() as compact JSON, the bytes of Python's
   json.dumps(layer.get_config(), separators=(",", ":")) in Keras 3, e.g.
   {"rate":0.25,"seed":7,"name":"spatial_dropout3d","dtype":"float32","data_format":"channels_last"}
   (1D: no data_format; seed null for a layer without one), and a NUL, into `buf`
   (`capacity` bytes); its length without the NUL into `*len`. If it does not fit:
   SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL, `*len` = the length needed without the NUL, `buf`
   unchanged. SPATIAL_DROPOUT_MAX_CONFIG_LEN + 1 bytes always fit. */
spatial_dropout_status spatial_dropout_get_config(const spatial_dropout_layer *layer, char *buf,
                                                  size_t capacity, size_t *len);

/* As spatial_dropout_get_config, for keras.saving.serialize_keras_object(layer):
   {"module":"keras.layers","class_name":"SpatialDropout3D","config":{...},
   "registered_name":null}. SPATIAL_DROPOUT_MAX_SERIALIZED_LEN + 1 bytes always fit. */
spatial_dropout_status spatial_dropout_get_serialized(const spatial_dropout_layer *layer,
                                                      char *buf, size_t capacity, size_t *len);

/* The _ex twins (see "Error detail" above): the function without _ex, plus `*err`. */
spatial_dropout_status spatial_dropout_create_ex(spatial_dropout_layer *layer, uint32_t rank,
                                                 double rate, int32_t data_format, int has_seed,
                                                 uint64_t seed, const char *name,
                                                 spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_from_config_ex(spatial_dropout_layer *layer,
                                                      uint32_t rank, const char *json,
                                                      size_t json_len,
                                                      spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_from_model_json_ex(spatial_dropout_layer *layer,
                                                          const char *model_json,
                                                          size_t model_json_len,
                                                          const char *name,
                                                          spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_call_ex(spatial_dropout_layer *layer, const float *input,
                                               size_t input_len, float *output,
                                               size_t output_len, const size_t *dims,
                                               size_t ndim, int training,
                                               spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_call_in_place_ex(spatial_dropout_layer *layer,
                                                        float *data, size_t len,
                                                        const size_t *dims, size_t ndim,
                                                        int training,
                                                        spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_backward_ex(const spatial_dropout_layer *layer,
                                                   const float *grad_outputs,
                                                   size_t grad_outputs_len, float *grad_inputs,
                                                   size_t grad_inputs_len, const size_t *dims,
                                                   size_t ndim, spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_reseed_ex(spatial_dropout_layer *layer, uint64_t seed,
                                                 spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_set_masks_ex(spatial_dropout_layer *layer, int32_t masks,
                                                    spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_get_masks_ex(const spatial_dropout_layer *layer,
                                                    int32_t *masks, spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_set_calls_ex(spatial_dropout_layer *layer,
                                                    uint64_t calls, spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_get_calls_ex(const spatial_dropout_layer *layer,
                                                    uint64_t *calls,
                                                    spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_keras_mask_ex(uint32_t *keep, size_t keep_words,
                                                     size_t maps, double rate, uint64_t seed,
                                                     uint64_t call, int32_t masks,
                                                     spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_get_info_ex(const spatial_dropout_layer *layer,
                                                   uint32_t *rank, double *rate,
                                                   int32_t *data_format, int *has_seed,
                                                   uint64_t *seed, spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_get_name_ex(const spatial_dropout_layer *layer,
                                                   char *buf, size_t capacity, size_t *len,
                                                   spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_get_config_ex(const spatial_dropout_layer *layer,
                                                     char *buf, size_t capacity, size_t *len,
                                                     spatial_dropout_error *err);
spatial_dropout_status spatial_dropout_get_serialized_ex(const spatial_dropout_layer *layer,
                                                         char *buf, size_t capacity,
                                                         size_t *len,
                                                         spatial_dropout_error *err);

/* A static, NUL-terminated English message for any status code (also for numbers that are not
   codes). Never NULL; never free it. */
const char *spatial_dropout_error_message(spatial_dropout_status code);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPATIAL_DROPOUT_H */
