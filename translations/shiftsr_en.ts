<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>shiftsr::gui::BatchQueue</name>
    <message numerus="yes">
        <location filename="../ui/src/gui/batch_queue.cpp" line="+469"/>
        <source>%n image(s) planned.</source>
        <translation>
            <numerusform>%n image planned.</numerusform>
            <numerusform>%n images planned.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::BudgetPage</name>
    <message numerus="yes">
        <location filename="../ui/src/gui/distil_pages_setup.cpp" line="+1488"/>
        <source>%1 for %n step(s)</source>
        <translation>
            <numerusform>%1 for %n step</numerusform>
            <numerusform>%1 for %n steps</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%1 in all: %2 to fine-tune the teacher (%n step(s)), then %3 to distil</source>
        <translation>
            <numerusform>%1 in all: %2 to fine-tune the teacher (%n step), then %3 to distil</numerusform>
            <numerusform>%1 in all: %2 to fine-tune the teacher (%n steps), then %3 to distil</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+70"/>
        <source>%1 %2 (%n step(s))</source>
        <translation>
            <numerusform>%1 %2 (%n step)</numerusform>
            <numerusform>%1 %2 (%n steps)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::MainWindow</name>
    <message numerus="yes">
        <location filename="../ui/src/gui/main_window_actions.cpp" line="+422"/>
        <source>%1
%2, x%3, %n step(s) by default</source>
        <translation>
            <numerusform>%1
%2, x%3, %n step by default</numerusform>
            <numerusform>%1
%2, x%3, %n steps by default</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+26"/>
        <source>Model default (%n)</source>
        <translation>
            <numerusform>Model default (%n)</numerusform>
            <numerusform>Model default (%n)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/gui/main_window.cpp" line="+298"/>
        <source>%1
%n step(s) · %2 · run memory %3</source>
        <translation>
            <numerusform>%1
%n step · %2 · run memory %3</numerusform>
            <numerusform>%1
%n steps · %2 · run memory %3</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+207"/>
        <source>No one-step model is installed: comparing %1 at %n step(s) with the same model at 1 step.</source>
        <translation>
            <numerusform>No one-step model is installed: comparing %1 at %n step with the same model at 1 step.</numerusform>
            <numerusform>No one-step model is installed: comparing %1 at %n steps with the same model at 1 step.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+125"/>
        <source>Device: CPU, %n thread(s)</source>
        <translation>
            <numerusform>Device: CPU, %n thread</numerusform>
            <numerusform>Device: CPU, %n threads</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/gui/main_window_distil.cpp" line="+175"/>
        <source>%n distillation run(s) can be continued: Tools &gt; Distil a One-Step Model…</source>
        <translation>
            <numerusform>%n distillation run can be continued: Tools &gt; Distil a One-Step Model…</numerusform>
            <numerusform>%n distillation runs can be continued: Tools &gt; Distil a One-Step Model…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::PhotosPage</name>
    <message numerus="yes">
        <location filename="../ui/src/gui/distil_pages_setup.cpp" line="-1178"/>
        <source>%n usable photo(s) (%1 for training, %2 held out)</source>
        <translation>
            <numerusform>%n usable photo (%1 for training, %2 held out)</numerusform>
            <numerusform>%n usable photos (%1 for training, %2 held out)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>; %n file(s) skipped</source>
        <translation>
            <numerusform>; %n file skipped</numerusform>
            <numerusform>; %n files skipped</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::RegionPreviewDock</name>
    <message numerus="yes">
        <location filename="../ui/src/gui/region_preview_dock.cpp" line="+104"/>
        <source>%1, %n step(s)</source>
        <translation>
            <numerusform>%1, %n step</numerusform>
            <numerusform>%1, %n steps</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::RunPage</name>
    <message numerus="yes">
        <location filename="../ui/src/gui/distil_pages_run.cpp" line="+662"/>
        <source>Finished: %n step(s) in %1. Next installs the student and compares it with its teacher.</source>
        <translation>
            <numerusform>Finished: %n step in %1. Next installs the student and compares it with its teacher.</numerusform>
            <numerusform>Finished: %n steps in %1. Next installs the student and compares it with its teacher.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::TeacherPage</name>
    <message numerus="yes">
        <location filename="../ui/src/gui/distil_pages_setup.cpp" line="+147"/>
        <source>%n step(s) by default</source>
        <translation>
            <numerusform>%n step by default</numerusform>
            <numerusform>%n steps by default</numerusform>
        </translation>
    </message>
</context>
</TS>
