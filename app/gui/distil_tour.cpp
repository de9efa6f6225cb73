// The distillation tour: polls the wizard twice a second and moves it on when a page lets it,
// with a screenshot of each page first.
#include "distil_tour.h"

#include "shiftsr/gui/distil_wizard.h"
#include "shiftsr/gui/main_window.h"
#include "shiftsr/gui/training_run.h"

#include <QAbstractButton>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QProcess>
#include <QTableWidget>
#include <QTimer>

#include <cstdio>
#include <memory>

void driveDistillation(shiftsr::gui::MainWindow& window, const QString& dir) {
    using shiftsr::gui::DistilWizard;
    using shiftsr::gui::TrainingRun;
    QDir().mkpath(dir);
    struct Tour {
        int grabbed = -1; // the last page saved
        bool liveSaved = false;
        QElapsedTimer clock, pageClock;
    };
    auto tour = std::make_shared<Tour>();
    tour->clock.start();
    auto* timer = new QTimer(&window);
    timer->setInterval(500);
    auto save = [dir](QWidget* w, const char* name) {
        const bool ok = w->grab().save(QDir(dir).filePath(QString::fromLatin1(name)));
        std::fprintf(stderr, "shiftsr: %s %s\n", ok ? "saved" : "NOT saved", name);
        return ok;
    };
    auto fail = [timer](const char* why) {
        timer->stop();
        std::fprintf(stderr, "shiftsr: distillation tour failed: %s\n", why);
        QCoreApplication::exit(1);
    };
    QObject::connect(timer, &QTimer::timeout, &window, [&window, tour, timer, save, fail] {
        DistilWizard* wizard = window.distilWizard();
        if (!wizard)
            return;
        const int page = wizard->currentId();
        const bool canGoOn = wizard->button(QWizard::NextButton)->isEnabled() &&
                             wizard->button(QWizard::NextButton)->isVisible();
        static const char* const names[] = {"distil-1-photos.png", "distil-2-teacher.png",
                                            "distil-3-method.png", "distil-4-budget.png",
                                            "distil-5-run.png",    "distil-6-finish.png"};
        if (page != tour->grabbed && tour->grabbed < page && !tour->pageClock.isValid())
            tour->pageClock.start();
        if (page == DistilWizard::RunPage) {
            auto* run = wizard->findChild<TrainingRun*>(QStringLiteral("distilRun"));
            if (run && !tour->liveSaved && !run->log().validationSeries().isEmpty() &&
                run->log().lastStep * 2 >= run->plannedSteps()) {
                tour->liveSaved = save(wizard, "distil-run-live.png");
            }
            if (run && run->state() == TrainingRun::State::Failed)
                return fail(qPrintable(run->failure()));
            if (canGoOn && page != tour->grabbed) {
                std::fprintf(stderr, "shiftsr: run finished: %d steps, %.0f s of training\n",
                             run ? run->log().lastStep : 0, run ? run->log().elapsedS : 0.0);
                save(wizard, names[page]);
                tour->grabbed = page;
                tour->pageClock.invalidate();
                wizard->next();
            }
            return;
        }
        if (page == DistilWizard::FinishPage) {
            auto* eval = wizard->findChild<QProcess*>(QStringLiteral("evalProcess"));
            auto* table = wizard->findChild<QTableWidget*>(QStringLiteral("evalTable"));
            // The page drops its eval process when it is done.
            const bool evalDone = (!eval || eval->state() == QProcess::NotRunning) && table &&
                                  table->rowCount() > 0 && table->item(0, 1) &&
                                  !table->item(0, 1)->text().isEmpty() && !window.isBusy();
            if (!evalDone && tour->pageClock.elapsed() < 30 * 60 * 1000)
                return;
            timer->stop();
            bool ok = save(wizard, names[page]);
            ok = save(&window, "distil-compare.png") && ok;
            if (auto* command = wizard->findChild<QLineEdit*>(QStringLiteral("evalCommand")))
                std::fprintf(stderr, "shiftsr: eval command: %s\n", qPrintable(command->text()));
            if (table)
                for (int r = 0; r < table->rowCount(); ++r) {
                    QStringList cells;
                    for (int c = 0; c < table->columnCount(); ++c)
                        cells << (table->item(r, c) ? table->item(r, c)->text() : QString());
                    std::fprintf(stderr, "shiftsr: eval: %s\n",
                                 qPrintable(cells.join(QStringLiteral(" | "))));
                }
            std::fprintf(stderr, "shiftsr: tour took %.0f s\n",
                         double(tour->clock.elapsed()) / 1000.0);
            QCoreApplication::exit(ok && evalDone ? 0 : 1);
            return;
        }
        // The deciding pages: on as soon as Next is enabled (the Budget page after its trial),
        // with a moment for thumbnails and figures to arrive.
        if (canGoOn && page != tour->grabbed && tour->pageClock.isValid() &&
            tour->pageClock.elapsed() > 1500) {
            save(wizard, names[page]);
            tour->grabbed = page;
            tour->pageClock.invalidate();
            wizard->next();
        } else if (tour->pageClock.isValid() && tour->pageClock.elapsed() > 10 * 60 * 1000) {
            fail("a page kept Next disabled for 10 minutes");
        }
    });
    timer->start();
}
