// The student's initialisation from its teacher, shared by the RSD trainer and its tests.
#pragma once

#include "shiftsr/nn/unet_swin.h"

namespace shiftsr::training {

// Copies every teacher weight into the student; the student's first convolution has extra input
// channels (the noise z, after the `latentChannels` latent channels and before the LQ
// condition), whose weights are zero, so the student computes the teacher's function exactly.
void initStudentFromTeacher(nn::UNetModelSwinImpl& teacher, nn::UNetModelSwinImpl& student,
                            int64_t latentChannels);

} // namespace shiftsr::training
